package org.smbgw.coordinator.api;

import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.Node;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareStatus;

/** Cluster objects as the admin API shows them: the desired spec joined with what nodes report. */
final class Views {
  private Views() {}

  static Share share(ShareSpec spec, String node, ClusterView view) {
    Share.Builder b = Share.newBuilder().setSpec(spec).setNode(node)
        .setPurging(view.purges().containsKey(ZkPaths.shareKey(spec.getName())));
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

  static Node node(NodeRecord record, ClusterView view) {
    LiveNode live = view.live().get(record.getName());
    Node.Builder b = Node.newBuilder().setName(record.getName()).setMaintenance(record.getMaintenance())
        .setConnected(live != null)
        .setShares((int) view.placements().values().stream()
            .filter(p -> p.value().getNode().equals(record.getName())).count());
    if (live != null) {
      b.setInventory(live.getInventory()).setCoordinator(live.getCoordinator())
          .addAllErrors(live.getObserved().getErrorsList());
    }
    return b.build();
  }
}
