package org.smbgw.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.BooleanSupplier;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.smbgw.coordinator.TestKeys;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.UserSpec;

class ClusterViewTest {
  /**
   * Agents report every pass; pushes of desired state wait for desiredChanges to stand still.
   * Were reports counted, a node's failover would wait out every report of the other nodes.
   */
  @Test
  void agentsReportsDoNotCountAsChangesOfDesiredStateButUsersDo() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = TestKeys.client(server.getConnectString())) {
      assertTrue(zk.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS));
      StateStore store = new StateStore(zk, TestKeys.SEAL);
      store.ensureLayout();
      try (ClusterView view = new ClusterView(zk, TestKeys.SEAL)) {
        view.start(30_000);
        long desired = view.desiredChanges();
        long all = view.changes();
        store.putLive(report(1));
        until(() -> view.live().containsKey("pve1"));
        store.putLive(report(2));
        until(() -> view.live().get("pve1").getObserved().getObservedAtMillis() == 2);
        assertTrue(view.changes() > all, "a report is a change of the view");
        assertEquals(desired, view.desiredChanges(), "but not of desired state");
        store.fenced(new org.smbgw.coordinator.election.Term(0, 0), List.of(store.create(ZkPaths.user("alice"),
            UserSpec.newBuilder().setName("alice").setNtHash("ab".repeat(16)).build())));
        until(() -> view.users().containsKey("alice"));
        assertTrue(view.desiredChanges() > desired, "a user is");
      }
    }
  }

  private static LiveNode report(long at) {
    return LiveNode.newBuilder().setNode("pve1")
        .setObserved(org.smbgw.proto.v1.NodeObservedState.newBuilder().setNode("pve1").setObservedAtMillis(at)).build();
  }

  /** The view hears of ZooKeeper's changes a moment after they are made. */
  private static void until(BooleanSupplier seen) throws InterruptedException {
    for (int i = 0; i < 3000 && !seen.getAsBoolean(); i++) {
      Thread.sleep(10);
    }
    assertTrue(seen.getAsBoolean(), "the view never saw the change");
  }
}
