package org.smbgw.coordinator.session;

import java.util.Comparator;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.proto.v1.NodeDesiredState;
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
    return b.build();
  }

  /** For comparing content: the same state at another generation is no news. */
  public static NodeDesiredState content(NodeDesiredState d) {
    return d.toBuilder().clearGeneration().build();
  }
}
