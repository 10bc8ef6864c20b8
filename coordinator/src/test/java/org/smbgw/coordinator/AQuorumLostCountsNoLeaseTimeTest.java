package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryForever;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.Test;
import org.smbgw.coordinator.state.ClusterView;

/**
 * A replica's view on a real three-server ensemble that loses its quorum: the clock lease expiry
 * runs on stands still from the moment the client notices, and runs again once it is back. The
 * failure guarded against: every address failing over the moment the quorum returns, for
 * silence nobody could have heard.
 */
class AQuorumLostCountsNoLeaseTimeTest {
  private static final long MS = 1_000_000L;

  private static boolean until(java.util.function.BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (done.getAsBoolean()) {
        return true;
      }
      Thread.sleep(10);
    }
    return false;
  }

  @Test
  void theListeningClockStandsStillThroughALostQuorum() throws Exception {
    AtomicLong ticker = new AtomicLong(1_000 * MS);
    try (Replicas r = new Replicas().start(0)) {
      CuratorFramework zk = org.smbgw.coordinator.zk.ZooKeeperAccess.builder(r.zk.getConnectString(), TestKeys.KEY)
          .sessionTimeoutMs(3000).connectionTimeoutMs(3000).retryPolicy(new RetryForever(100)).build();
      r.closeables.add(zk);
      zk.start();
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      ClusterView view = new ClusterView(zk, TestKeys.SEAL, ticker::get); // connected already: no event says so
      ticker.addAndGet(3000 * MS);
      assertEquals(3000, view.heard() / MS, "connected since the view was made");

      List<InstanceSpec> servers = new ArrayList<>(r.zk.getInstances());
      assertTrue(r.zk.killServer(servers.get(0)) && r.zk.killServer(servers.get(1)), "two of three servers gone");
      // Curator tells its listeners in no set order: watch the view's clock itself stop (the
      // ticker moves a nanosecond a look, which a running clock would show).
      assertTrue(until(() -> {
        long h = view.heard();
        ticker.incrementAndGet();
        return view.heard() == h;
      }), "the view never noticed the lost quorum");
      long atLoss = view.heard();
      assertTrue(atLoss < 3000 * MS, "the time the loss went unnoticed is taken back: " + atLoss);
      ticker.addAndGet(Duration.ofMinutes(5).toNanos());
      assertEquals(atLoss, view.heard(), "five minutes without a quorum counted toward expiry");

      assertTrue(r.zk.restartServer(servers.get(0)) && r.zk.restartServer(servers.get(1)));
      assertTrue(until(() -> {
        long h = view.heard();
        ticker.incrementAndGet();
        return view.heard() != h;
      }), "the view never saw the quorum back");
      long back = view.heard();
      ticker.addAndGet(700 * MS);
      assertEquals(back + 700 * MS, view.heard(), "counts again once connected");
    }
  }
}
