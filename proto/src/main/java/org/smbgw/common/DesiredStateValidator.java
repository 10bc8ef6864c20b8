package org.smbgw.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/** Checks a node's whole desired state: each object, and the rules between them. */
public final class DesiredStateValidator {
  private final ShareValidator shares;

  private DesiredStateValidator(ShareValidator shares) {
    this.shares = shares;
  }

  /** For the coordinator, which does not know where shares will run. */
  public static DesiredStateValidator anyNode() {
    return new DesiredStateValidator(ShareValidator.anyNode());
  }

  /** For a node with these directory roots (see {@link ShareValidator#onNode}). */
  public static DesiredStateValidator onNode(List<Path> directoryRoots) {
    return new DesiredStateValidator(ShareValidator.onNode(directoryRoots));
  }

  /** For a node with these directory roots, whose share roots belong to {@code rootsGroup}. */
  public static DesiredStateValidator onNode(List<Path> directoryRoots, String rootsGroup) {
    return new DesiredStateValidator(ShareValidator.onNode(directoryRoots, rootsGroup));
  }

  /** A state with its invalid shares, users and purges left out, and why each was. */
  public record Split(NodeDesiredState state, Map<String, String> refused) {}

  /** Every violation in the state (for callers that take a state all or nothing). */
  public List<Violation> validate(NodeDesiredState state) {
    List<Violation> out = new ArrayList<>();
    check(state).values().forEach(out::addAll);
    return out;
  }

  /**
   * The state without what is invalid in it ("share/NAME", "user/NAME", "purge/NAME", "address/A" with their
   * violations): one bad share never keeps the others from being served. Of two shares that
   * conflict, the later one is left out.
   */
  public Split split(NodeDesiredState state) {
    Map<String, List<Violation>> bad = check(state);
    NodeDesiredState.Builder b = state.toBuilder().clearShares().clearUsers().clearPurgeShares().clearAddresses();
    state.getAddressesList().stream().filter(x -> !bad.containsKey("address/" + x.getAddress())).forEach(b::addAddresses);
    state.getSharesList().stream().filter(x -> !bad.containsKey("share/" + x.getName())).forEach(b::addShares);
    state.getUsersList().stream().filter(x -> !bad.containsKey("user/" + x.getName())).forEach(b::addUsers);
    state.getPurgeSharesList().stream().filter(x -> !bad.containsKey("purge/" + x)).forEach(b::addPurgeShares);
    Map<String, String> refused = new TreeMap<>();
    bad.forEach((subject, v) -> refused.put(subject, String.join("; ", v.stream().map(Violation::toString).toList())));
    return new Split(b.build(), refused);
  }

  /** Violations by subject; only subjects with some. */
  private Map<String, List<Violation>> check(NodeDesiredState state) {
    Map<String, List<Violation>> bad = new LinkedHashMap<>();
    Map<String, String> seen = new HashMap<>();
    ShareConflicts.Among earlier = new ShareConflicts.Among();
    for (ShareSpec share : state.getSharesList()) {
      String prefix = "Share/" + share.getName() + ": spec";
      List<Violation> out = new ArrayList<>(shares.validate(prefix, share));
      out.addAll(earlier.conflicts(prefix, share, "share"));
      if (!out.isEmpty()) {
        bad.computeIfAbsent("share/" + share.getName(), k -> new ArrayList<>()).addAll(out);
        continue;
      }
      seen.putIfAbsent(Names.uniquenessKey(share.getName()), share.getName());
      earlier.add(share);
    }
    Set<String> users = new HashSet<>();
    for (UserSpec user : state.getUsersList()) {
      String prefix = "User/" + user.getName() + ": spec";
      List<Violation> out = new ArrayList<>();
      Names.userName(prefix + ".name", user.getName(), out);
      NtHash.validate(prefix + ".ntHash", user.getNtHash(), out);
      if (!users.add(user.getName())) {
        out.add(new Violation(prefix + ".name", "user '" + user.getName() + "' is declared twice"));
      }
      if (!out.isEmpty()) {
        bad.computeIfAbsent("user/" + user.getName(), k -> new ArrayList<>()).addAll(out);
      }
    }
    for (int i = 0; i < state.getAddressesCount(); i++) {
      var address = state.getAddresses(i);
      // They become lines of 'ip -batch' run as root on the node: checked again here. Named by
      // position: the text itself may hold a newline.
      String prefix = "addresses[" + i + "]";
      List<Violation> out = new ArrayList<>();
      Addresses.cidr(prefix + ": address", address.getAddress(), out);
      Addresses.interfaceName(prefix + ": interface", address.getInterface(), out);
      if (!out.isEmpty()) {
        bad.computeIfAbsent("address/" + address.getAddress(), k -> new ArrayList<>()).addAll(out);
      }
    }
    for (String purge : state.getPurgeSharesList()) {
      List<Violation> out = new ArrayList<>();
      Names.shareName("Purge/" + purge + ": name", purge, out);
      if (seen.containsKey(Names.uniquenessKey(purge))) {
        out.add(new Violation("Purge/" + purge + ": name",
            "a share cannot be purged while it is still declared (as '" + seen.get(Names.uniquenessKey(purge)) + "')"));
      }
      if (!out.isEmpty()) {
        bad.computeIfAbsent("purge/" + purge, k -> new ArrayList<>()).addAll(out);
      }
    }
    return bad;
  }
}
