package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.state.ConnectionState;
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

  @Test
  void theListeningClockStandsStillThroughALostQuorum() throws Exception {
    AtomicLong ticker = new AtomicLong(1_000 * MS);
    try (Replicas r = new Replicas().start(0)) {
      CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(r.zk.getConnectString())
          .sessionTimeoutMs(3000).connectionTimeoutMs(3000).retryPolicy(new RetryForever(100)).build();
      r.closeables.add(zk);
      zk.start();
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      ClusterView view = new ClusterView(zk, ticker::get); // connected already: no event says so
      CountDownLatch lost = new CountDownLatch(1);
      CountDownLatch back = new CountDownLatch(1);
      // Told after the view's own listener, on the same thread: when these count down, it has acted.
      zk.getConnectionStateListenable().addListener((c, s) -> {
        if (s == ConnectionState.SUSPENDED) {
          lost.countDown();
        } else if (s == ConnectionState.RECONNECTED && lost.getCount() == 0) {
          back.countDown();
        }
      });
      ticker.addAndGet(3000 * MS);
      assertEquals(3000, view.heard() / MS, "connected since the view was made");

      List<InstanceSpec> servers = new ArrayList<>(r.zk.getInstances());
      assertTrue(r.zk.killServer(servers.get(0)) && r.zk.killServer(servers.get(1)), "two of three servers gone");
      assertTrue(lost.await(60, TimeUnit.SECONDS), "the client never noticed the lost quorum");
      long atLoss = view.heard();
      assertTrue(atLoss <= 3000 * MS, "unnoticed time is taken back, never added: " + atLoss);
      ticker.addAndGet(Duration.ofMinutes(5).toNanos());
      assertEquals(atLoss, view.heard(), "five minutes without a quorum counted toward expiry");

      assertTrue(r.zk.restartServer(servers.get(0)) && r.zk.restartServer(servers.get(1)));
      assertTrue(back.await(60, TimeUnit.SECONDS), "the client never reconnected");
      ticker.addAndGet(700 * MS);
      assertEquals(atLoss + 700 * MS, view.heard(), "counts again once connected");
    }
  }
}
