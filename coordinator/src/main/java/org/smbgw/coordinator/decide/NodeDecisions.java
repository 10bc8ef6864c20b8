package org.smbgw.coordinator.decide;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.ConfirmRemovalRequest;
import org.smbgw.proto.v1.ConfirmRemovalResponse;
import org.smbgw.proto.v1.DrainNodeRequest;
import org.smbgw.proto.v1.DrainNodeResponse;
import org.smbgw.proto.v1.Node;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UndrainNodeRequest;

/** Node decisions: drain (maintenance, moving what can move), undrain, and confirming removals. Pure. */
public final class NodeDecisions {
  private NodeDecisions() {}

  /** The node's record; NOT_FOUND when the cluster does not know it. */
  static Versioned<NodeRecord> node(Snapshot s, String name) {
    return Optional.ofNullable(s.nodes().get(name)).orElseThrow(() -> Errors.notFound("node '" + name + "'"));
  }

  /**
   * Puts the node in maintenance and moves every share that can go elsewhere: shares bound to an
   * address go with their address (released by the holder first), addresses without shares move to
   * the first fit node, and what cannot move stays, with the reason in the reply.
   */
  public static Change<DrainNodeResponse> drain(Snapshot s, Context c, DrainNodeRequest req) {
    String name = req.getName();
    Versioned<NodeRecord> node = node(s, name);
    Map<String, Candidate> nodes = Placing.candidates(s, Map.of(name, true));
    Placer.Result r = Placing.placeAll(s, List.of(), Map.of(), Set.of(), List.copyOf(nodes.values()));
    NodeRecord drained = node.value().toBuilder().setMaintenance(true).build();
    Change.Builder change = new Change.Builder().add(new Write.Update(ZkPaths.node(name), drained, node.version()));
    DrainNodeResponse.Builder b = DrainNodeResponse.newBuilder();
    Map<String, String> addressMoves = new TreeMap<>();
    int movedShares = 0;
    List<ShareSpec> all = s.shares().values().stream().map(Versioned::value).toList();
    Map<String, String> current = Placing.current(s, all);
    for (ShareSpec spec : all) {
      if (!name.equals(current.get(spec.getName()))) {
        continue;
      }
      String to = r.placed().get(spec.getName());
      if (to == null || to.equals(name)) {
        b.putStuck(spec.getName(), r.unplaceable().getOrDefault(spec.getName(), "no other node can host it"));
        continue;
      }
      b.putMoved(spec.getName(), to);
      if (!spec.getAddress().isEmpty() && s.address(spec.getAddress()).isPresent()) {
        addressMoves.put(ZkPaths.addressKey(spec.getAddress()), to); // released first, then moved
      } else {
        Placing.placementWrite(s, c, spec.getName(), to).ifPresent(change::add);
        movedShares++;
      }
    }
    // Addresses with no shares move too; addresses whose shares are stuck stay.
    Optional<String> fit = nodes.values().stream().filter(n -> n.connected() && !n.maintenance()).findFirst()
        .map(Candidate::name);
    for (var e : s.addresses().entrySet()) {
      AddressRecord a = e.getValue().value();
      if (a.getNode().equals(name) && !addressMoves.containsKey(e.getKey())
          && Binding.bound(s, a.getAddress()).isEmpty() && fit.isPresent()) {
        addressMoves.put(e.getKey(), fit.get());
      }
    }
    for (var e : addressMoves.entrySet()) {
      Tracked<AddressRecord> a = s.addresses().get(e.getKey());
      change.add(new Write.Update(ZkPaths.ADDRESSES + "/" + e.getKey(), a.value().toBuilder().setNode("")
          .setReleasingFrom(name).setMovingTo(e.getValue()).setEpoch(c.epoch()).build(), a.version()));
    }
    change.moved("planned", movedShares);
    change.event("node.drained", "node/" + name, b.getMovedCount() + " share(s) moved, " + b.getStuckCount()
        + " could not move, " + addressMoves.size() + " address(es) released to move");
    return change.reply(b.setNode(Views.node(drained, s)).build());
  }

  /** Out of maintenance; nothing moves back by itself (no flapping). */
  public static Change<Node> undrain(Snapshot s, UndrainNodeRequest req) {
    Versioned<NodeRecord> node = node(s, req.getName());
    NodeRecord next = node.value().toBuilder().setMaintenance(false).build();
    Change.Builder change = new Change.Builder().add(new Write.Update(ZkPaths.node(req.getName()), next, node.version()));
    change.event("node.undrained", "node/" + req.getName(), "out of maintenance");
    return change.reply(Views.node(next, s));
  }

  /**
   * An administrator confirms losses a connected node reports (all, or {@code only} those), so
   * that its agent may carry them out; a node of another cluster is adopted instead, removing
   * nothing: what it then keeps is measured against this cluster's state and confirmed on its own.
   */
  public static Change<ConfirmRemovalResponse> confirmRemoval(Snapshot s, ConfirmRemovalRequest req) {
    Versioned<NodeRecord> node = node(s, req.getName());
    Node now = Views.node(node.value(), s);
    if (!now.getConnected()) {
      throw Errors.precondition("node '" + req.getName() + "' is not connected: only what it reports now can be confirmed");
    }
    boolean adopt = !now.getForeignCluster().isEmpty();
    List<String> reported = adopt ? List.of() : now.getLossesList();
    List<String> removals = reported;
    if (!adopt && !req.getOnlyList().isEmpty()) {
      List<String> unknown = req.getOnlyList().stream().filter(x -> !reported.contains(x)).toList();
      if (!unknown.isEmpty()) {
        throw Errors.precondition("node '" + req.getName() + "' does not report " + String.join(", ", unknown)
            + " (it reports " + (reported.isEmpty() ? "nothing" : String.join(", ", reported)) + ")");
      }
      removals = req.getOnlyList();
    }
    if (removals.isEmpty() && !adopt) {
      throw Errors.precondition("node '" + req.getName() + "' reports no losses and belongs to this cluster: "
          + "nothing to confirm");
    }
    TreeSet<String> confirmed = new TreeSet<>(node.value().getConfirmedRemovalsList());
    confirmed.addAll(removals);
    NodeRecord next = node.value().toBuilder().clearConfirmedRemovals().addAllConfirmedRemovals(confirmed)
        .setAdopt(node.value().getAdopt() || adopt).setConfirmedGeneration(s.nextGeneration()).build();
    Change.Builder change = new Change.Builder().add(new Write.Update(ZkPaths.node(req.getName()), next, node.version()));
    change.event("node.removals-confirmed", "node/" + req.getName(), adopt
        ? "joins this cluster; what it then keeps is confirmed separately" : "removes " + String.join(", ", removals));
    return change.reply(ConfirmRemovalResponse.newBuilder().setNode(req.getName()).addAllRemovals(removals)
        .setAdopt(adopt).build());
  }
}
