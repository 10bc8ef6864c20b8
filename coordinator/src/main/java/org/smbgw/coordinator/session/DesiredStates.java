package org.smbgw.coordinator.session;

import java.util.Comparator;
import java.util.List;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/** A node's complete desired state, computed from the view. Any replica computes the same one. */
public final class DesiredStates {
  private DesiredStates() {}

  public static NodeDesiredState forNode(ClusterView view, String node) {
    NodeDesiredState.Builder b = NodeDesiredState.newBuilder().setNode(node)
        .setGeneration(view.generation()).setEpoch(view.epoch());
    view.shares().values().stream().map(Versioned::value)
        .filter(s -> view.placement(s.getName()).map(node::equals).orElse(false))
        .sorted(Comparator.comparing(ShareSpec::getName))
        .forEach(b::addShares);
    view.users().values().stream().map(Versioned::value).sorted(Comparator.comparing(UserSpec::getName))
        .forEach(b::addUsers);
    // Addresses granted to the node: a hint for what to get ready; only lease grants let it hold one.
    view.addresses().values().stream().map(t -> t.value()).filter(a -> a.getNode().equals(node))
        .sorted(Comparator.comparing(org.smbgw.proto.v1.AddressRecord::getAddress))
        .forEach(a -> b.addAddresses(org.smbgw.proto.v1.AddressAssignment.newBuilder().setAddress(a.getAddress())
            .setInterface(a.getInterface())));
    view.purges().values().stream().filter(p -> p.getNode().equals(node)).map(p -> p.getShare()).sorted()
        .forEach(b::addPurgeShares);
    b.setCluster(view.cluster()).addAllRemovals(removals(view, node));
    Versioned<NodeRecord> record = view.nodes().get(node);
    b.setAdopt(record != null && record.value().getAdopt());
    return b.build();
  }

  /**
   * What the coordinator means to take off the node (DESIGN 2): shares of the cluster placed on
   * another node, shares and users deleted on purpose, and losses an administrator
   * confirmed. Anything else the node served and this state lacks is a loss to the agent.
   */
  static List<String> removals(ClusterView view, String node) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    // Placed on another node: moved or drained away. A share with no placement at all is not an
    // intent (its placement znode may have been lost): the node keeps it until it is placed.
    view.shares().values().stream().map(Versioned::value)
        .filter(s -> view.placement(s.getName()).map(n -> !n.equals(node)).orElse(false))
        .forEach(s -> out.add("share/" + s.getName()));
    view.removed().values().forEach(r -> out.add(r.value().getSubject()));
    Versioned<NodeRecord> record = view.nodes().get(node);
    if (record != null) {
      out.addAll(record.value().getConfirmedRemovalsList());
    }
    return List.copyOf(out);
  }

  /** For comparing content: the same state at another generation is no news. */
  public static NodeDesiredState content(NodeDesiredState d) {
    return d.toBuilder().clearGeneration().build();
  }
}
