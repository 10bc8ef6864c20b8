package org.smbgw.coordinator.decide;

import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.FloatingAddress;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.Node;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareStatus;

/** Cluster objects as the admin API shows them: the desired spec joined with what nodes report. */
public final class Views {
  private Views() {}

  public static Share share(ShareSpec spec, String node, Snapshot view) {
    Share.Builder b = Share.newBuilder().setSpec(spec).setNode(node)
        .setPurging(view.purging(spec.getName()));
    LiveNode live = node.isEmpty() ? null : view.live().get(node);
    if (live != null) {
      for (ShareStatus st : live.getObserved().getSharesList()) {
        if (st.getName().equals(spec.getName())) {
          b.setStatus(st);
          break;
        }
      }
    }
    return b.build();
  }

  public static Node node(NodeRecord record, Snapshot view) {
    LiveNode live = view.live().get(record.getName());
    Node.Builder b = Node.newBuilder().setName(record.getName()).setMaintenance(record.getMaintenance())
        .setConnected(live != null)
        .setShares((int) view.placements().values().stream()
            .filter(p -> p.value().getNode().equals(record.getName())).count());
    var lease = view.leases().get(record.getName());
    if (lease != null) {
      b.setLeaseAgeMillis(Math.max(0, (view.seenNow() - lease.seenNanos()) / 1_000_000));
    }
    if (live != null) {
      b.setInventory(live.getInventory()).setCoordinator(live.getCoordinator())
          .addAllErrors(live.getObserved().getErrorsList()).addAllLosses(live.getObserved().getLossesList());
      String cluster = live.getObserved().getCluster();
      if (!cluster.isEmpty() && !cluster.equals(view.cluster())) {
        b.setForeignCluster(cluster);
      }
    }
    return b.build();
  }

  public static FloatingAddress address(AddressRecord a, Snapshot view) {
    FloatingAddress.Builder b = FloatingAddress.newBuilder().setAddress(a.getAddress()).setInterface(a.getInterface())
        .setNode(a.getNode()).setMovingTo(a.getMovingTo());
    view.shares().values().stream().map(v -> v.value())
        .filter(s -> org.smbgw.common.Addresses.same(s.getAddress(), a.getAddress()))
        .map(ShareSpec::getName).sorted().forEach(b::addShares);
    var lease = a.getNode().isEmpty() ? null : view.leases().get(a.getNode());
    b.setUp(lease != null && lease.value().getHeldList().stream()
        .anyMatch(h -> org.smbgw.common.Addresses.same(h.getAddress(), a.getAddress())));
    b.setState(!a.getReleasingFrom().isEmpty() ? "moving" : a.getNode().isEmpty() ? "unassigned" : "active");
    return b.build();
  }

  /**
   * The cluster at a glance: the leader, the epoch, nodes connected of known, shares active and
   * unplaced of all, and the coordinators that are members now (sorted).
   */
  public static org.smbgw.proto.v1.StatusResponse status(Snapshot s, String leader, long epoch,
      java.util.Collection<String> members) {
    org.smbgw.proto.v1.StatusResponse.Builder b = org.smbgw.proto.v1.StatusResponse.newBuilder().setLeader(leader)
        .setEpoch(epoch).setNodes(s.nodes().size()).setNodesConnected(s.live().size()).setShares(s.shares().size());
    for (org.smbgw.coordinator.state.Versioned<ShareSpec> v : s.shares().values()) {
      String node = s.placement(v.value().getName()).orElse("");
      if (node.isEmpty()) {
        b.setSharesUnplaced(b.getSharesUnplaced() + 1);
      } else if (share(v.value(), node, s).getStatus().getState() == org.smbgw.proto.v1.ShareState.SHARE_STATE_ACTIVE) {
        b.setSharesActive(b.getSharesActive() + 1);
      }
    }
    members.stream().sorted().forEach(b::addCoordinators);
    return b.build();
  }
}
