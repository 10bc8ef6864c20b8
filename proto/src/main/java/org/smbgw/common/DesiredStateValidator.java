package org.smbgw.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/** Checks a node's whole desired state: each object, and the rules between them. */
public final class DesiredStateValidator {
  private final ShareValidator shares;

  public DesiredStateValidator(List<Path> directoryRoots) {
    this.shares = new ShareValidator(directoryRoots);
  }

  public List<Violation> validate(NodeDesiredState state) {
    List<Violation> out = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    List<ShareSpec> earlier = new ArrayList<>();
    for (ShareSpec share : state.getSharesList()) {
      String prefix = "Share/" + share.getName() + ": spec";
      out.addAll(shares.validate(prefix, share));
      out.addAll(ShareConflicts.among(prefix, share, earlier, "share"));
      seen.putIfAbsent(Names.uniquenessKey(share.getName()), share.getName());
      earlier.add(share);
    }
    Set<String> users = new HashSet<>();
    for (UserSpec user : state.getUsersList()) {
      String prefix = "User/" + user.getName() + ": spec";
      Names.userName(prefix + ".name", user.getName(), out);
      NtHash.validate(prefix + ".ntHash", user.getNtHash(), out);
      if (!users.add(user.getName())) {
        out.add(new Violation(prefix + ".name", "user '" + user.getName() + "' is declared twice"));
      }
    }
    for (String purge : state.getPurgeSharesList()) {
      Names.shareName("Purge/" + purge + ": name", purge, out);
      if (seen.containsKey(Names.uniquenessKey(purge))) {
        out.add(new Violation("Purge/" + purge + ": name",
            "a share cannot be purged while it is still declared (as '" + seen.get(Names.uniquenessKey(purge)) + "')"));
      }
    }
    return out;
  }
}
