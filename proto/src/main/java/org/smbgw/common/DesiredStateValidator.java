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
    for (ShareSpec share : state.getSharesList()) {
      String prefix = "Share/" + share.getName() + ": spec";
      out.addAll(shares.validate(prefix, share));
      String previous = seen.putIfAbsent(Names.uniquenessKey(share.getName()), share.getName());
      if (previous != null) {
        out.add(new Violation(prefix + ".name", "share names are unique ignoring case; '"
            + share.getName() + "' clashes with '" + previous + "'"));
      }
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
            "a share cannot be purged while it is still declared"));
      }
    }
    return out;
  }
}
