package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.ShareSpec;

/** Placement questions every decision asks the same way, on one snapshot. */
final class Placing {
  private static final Placer PLACER = new Placer();

  private Placing() {}

  /** Every known node as placement sees it, with maintenance overridden where given. */
  static Map<String, Candidate> candidates(Snapshot s, Map<String, Boolean> maintenance) {
    Map<String, Candidate> out = new TreeMap<>();
    for (Versioned<NodeRecord> v : s.nodes().values()) {
      NodeRecord n = v.value();
      LiveNode live = s.live().get(n.getName());
      out.put(n.getName(), new Candidate(n.getName(), live != null,
          maintenance.getOrDefault(n.getName(), n.getMaintenance()),
          live == null ? List.of() : live.getInventory().getStoragesList()));
    }
    return out;
  }

  /**
   * Every share but those in {@code leaveOut} (share keys), and where each is now, with shares bound
   * to an address pinned where the address is: what placement starts from.
   */
  static Placer.Result placeAll(Snapshot s, List<ShareSpec> extra, Map<String, String> extraCurrent,
      Set<String> leaveOut, List<Candidate> nodes) {
    List<ShareSpec> all = new ArrayList<>();
    Map<String, String> current = new HashMap<>(extraCurrent);
    for (var e : s.shares().entrySet()) {
      if (!leaveOut.contains(e.getKey())) {
        all.add(e.getValue().value());
        s.placement(e.getValue().value().getName()).ifPresent(n -> current.put(e.getValue().value().getName(), n));
      }
    }
    all.addAll(extra);
    Binding.pin(s, all, current);
    return PLACER.place(all, current, nodes);
  }

  /** Where each of {@code shares} is (share name to node): its placement, or its address's node if it has one. */
  static Map<String, String> current(Snapshot s, List<ShareSpec> shares) {
    Map<String, String> current = new HashMap<>();
    shares.forEach(spec -> s.placement(spec.getName()).ifPresent(n -> current.put(spec.getName(), n)));
    Binding.pin(s, shares, current);
    return current;
  }

  /** Places one (new or changed) share against all others; FAILED_PRECONDITION saying why it fits nowhere. */
  static String placeOne(Snapshot s, ShareSpec spec, Optional<String> current) {
    Map<String, String> at = new HashMap<>();
    current.ifPresent(n -> at.put(spec.getName(), n));
    Placer.Result r = placeAll(s, List.of(spec), at, Set.of(ZkPaths.shareKey(spec.getName())),
        List.copyOf(candidates(s, Map.of()).values()));
    String node = r.placed().get(spec.getName());
    if (node == null) {
      throw Errors.precondition("share '" + spec.getName() + "' fits nowhere: " + r.unplaceable().get(spec.getName()));
    }
    return node;
  }

  /** Places {@code shares}, starting from {@code current}, on {@code nodes}; no share but these counts. */
  static Placer.Result place(List<ShareSpec> shares, Map<String, String> current, List<Candidate> nodes) {
    return PLACER.place(shares, current, nodes);
  }

  /** Whether the share can leave its node with its data (shared storage). */
  static boolean movable(ShareSpec spec, Candidate from) {
    return Placer.movable(spec, from);
  }

  /** The write putting {@code share} on {@code node} (create or update), or none when it is there. */
  static Optional<Write> placementWrite(Snapshot s, Context c, String share, String node) {
    Versioned<Placement> existing = s.placements().get(ZkPaths.shareKey(share));
    if (existing != null && existing.value().getNode().equals(node)) {
      return Optional.empty();
    }
    Placement p = Placement.newBuilder().setShare(share).setNode(node).setEpoch(c.epoch()).build();
    return Optional.of(existing == null ? new Write.Create(ZkPaths.placement(share), p)
        : new Write.Update(ZkPaths.placement(share), p, existing.version()));
  }

  /** The node among {@code fit} holding the fewest addresses (ties by name). */
  static Optional<String> leastAddresses(Snapshot s, List<Candidate> fit) {
    Map<String, Long> held = new HashMap<>();
    s.addresses().values().forEach(a -> held.merge(a.value().getNode(), 1L, Long::sum));
    return fit.stream().min(Comparator.comparing((Candidate c) -> held.getOrDefault(c.name(), 0L))
        .thenComparing(Candidate::name)).map(Candidate::name);
  }
}
