package org.smbgw.coordinator.write;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.smbgw.coordinator.decide.Change;
import org.smbgw.coordinator.decide.UserDecisions;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.ha.HaListener;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Json;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.UserSpec;

/** The one writer on a real ZooKeeper server: fencing, deciding again, and the snapshots it decides on. */
class ChangeWriterTest {
  @org.junit.jupiter.api.extension.RegisterExtension
  static final org.smbgw.coordinator.ZooKeeperLeftovers LEFTOVERS = new org.smbgw.coordinator.ZooKeeperLeftovers();

  /** The term of a layout just made: epoch 0, epoch znode version 0. */
  private static final Term TERM = new Term(0, 0);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC);

  private interface Body {
    void run(StateStore store, ClusterView view, ChangeWriter writer) throws Exception;
  }

  private static void withWriter(Body body) throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = org.smbgw.coordinator.TestKeys.client(server.getConnectString())) {
      assertTrue(zk.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS));
      StateStore store = new StateStore(zk, org.smbgw.coordinator.TestKeys.SEAL);
      store.ensureLayout();
      try (ClusterView view = new ClusterView(zk, org.smbgw.coordinator.TestKeys.SEAL)) {
        view.start(30_000);
        body.run(store, view, new ChangeWriter(view, store, CLOCK, HaListener.NONE));
      }
    }
  }

  private static PutUserRequest user(String name) {
    return PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName(name).setNtHash("ab".repeat(16))).build();
  }

  @Test
  void aDecisionOvertakenByAnotherWriteIsMadeAgainOnTheStateThatWriteMade() throws Exception {
    withWriter((store, view, writer) -> {
      AtomicInteger decided = new AtomicInteger();
      Change<?> done = writer.run(TERM, (s, c) -> {
        if (decided.incrementAndGet() == 1) {
          try { // another write lands between this decision and its own
            store.fenced(TERM, List.of(store.create(ZkPaths.user("bob"), user("bob").getSpec())));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        return UserDecisions.put(s, user("alice"));
      });
      assertEquals(2, decided.get(), "made again after the generation moved");
      assertEquals(2, view.generation(), "bob's write, then alice's");
      assertTrue(view.users().containsKey("alice") && view.users().containsKey("bob"), view.users().keySet().toString());
      assertEquals("user.added", done.events().get(0).kind());
      assertEquals(CLOCK.millis(), view.events().lastEntry().getValue().getTimeMillis(), "stamped on the injected clock");
    });
  }

  /**
   * A change larger than ZooKeeper takes in one transaction is refused before it is sent: sent, it
   * would cost this replica its connection, over and over, and every lease renewal meanwhile.
   * Nothing is written, and the next change goes through on the same connection.
   */
  @Test
  void aChangeTooLargeForOneTransactionIsRefusedAndNothingIsWritten() throws Exception {
    withWriter((store, view, writer) -> {
      long before = view.generation();
      org.smbgw.coordinator.state.StoreException refused = org.junit.jupiter.api.Assertions.assertThrows(
          org.smbgw.coordinator.state.StoreException.class, () -> writer.run(TERM, (s, c) -> {
            Change.Builder big = new Change.Builder();
            for (int i = 0; i < 8000; i++) { // each a sealed hash and a path: over 1.5 MB in all
              big.add(new org.smbgw.coordinator.decide.Write.Create(ZkPaths.user("u" + i),
                  UserSpec.newBuilder().setName("u" + i).setNtHash("ab".repeat(16)).build()));
            }
            return big.reply(null);
          }));
      assertEquals(org.smbgw.coordinator.state.StoreException.Kind.TOO_LARGE, refused.kind());
      assertTrue(refused.getMessage().contains("8000 writes") && refused.getMessage().contains("jute.maxbuffer"),
          refused.getMessage());
      assertEquals(before, store.generation(), "nothing was written");
      assertTrue(view.users().isEmpty(), view.users().keySet().toString());

      writer.run(TERM, (s, c) -> UserDecisions.put(s, user("alice")));
      assertTrue(view.users().containsKey("alice"), "the connection still writes");
    });
  }

  /**
   * The view's server dies; while the view reconnects elsewhere, another client changes the state.
   * Settling after the reconnect finishes, and the next decision that lands has seen the change
   * (it was not asserted of a decision that writes nothing: a quick reconnect can settle before the
   * other client's change, and the view then hears of it a moment later, as always).
   */
  @Test
  void afterAReconnectDecisionsWaitForTheViewToMatchZooKeeperAndThenSeeWhatChanged() throws Exception {
    try (org.apache.curator.test.TestingCluster ensemble = new org.apache.curator.test.TestingCluster(3)) {
      ensemble.start();
      try (CuratorFramework zk = org.smbgw.coordinator.zk.ZooKeeperAccess.builder(ensemble.getConnectString(), org.smbgw.coordinator.TestKeys.KEY)
              .sessionTimeoutMs(10_000).connectionTimeoutMs(3_000).retryPolicy(new RetryOneTime(100)).build();
          CuratorFramework other = org.smbgw.coordinator.zk.ZooKeeperAccess.builder(ensemble.getConnectString(),
              org.smbgw.coordinator.TestKeys.KEY).retryPolicy(new org.apache.curator.retry.RetryNTimes(50, 200)).build()) {
        zk.start();
        other.start();
        assertTrue(zk.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS));
        assertTrue(other.blockUntilConnected(30, java.util.concurrent.TimeUnit.SECONDS));
        StateStore store = new StateStore(zk, org.smbgw.coordinator.TestKeys.SEAL);
        store.ensureLayout();
        try (ClusterView view = new ClusterView(zk, org.smbgw.coordinator.TestKeys.SEAL)) {
          view.start(30_000);
          ChangeWriter writer = new ChangeWriter(view, store, CLOCK, HaListener.NONE);
          java.util.concurrent.CountDownLatch suspended = new java.util.concurrent.CountDownLatch(1);
          zk.getConnectionStateListenable().addListener((c, state) -> {
            if (state == org.apache.curator.framework.state.ConnectionState.SUSPENDED) {
              suspended.countDown();
            }
          });
          assertTrue(ensemble.killServer(ensemble.findConnectionInstance(zk.getZookeeperClient().getZooKeeper())));
          assertTrue(suspended.await(30, java.util.concurrent.TimeUnit.SECONDS));
          // (Whether the view is still unsettled now depends on how fast it reconnected: Curator
          // tells its listeners in no set order, so that is not asserted here.)
          new StateStore(other, org.smbgw.coordinator.TestKeys.SEAL).fenced(TERM, List.of(new StateStore(other, org.smbgw.coordinator.TestKeys.SEAL).create(ZkPaths.user("bob"), user("bob").getSpec())));
          Boolean saw = null;
          long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
          while (saw == null) {
            try {
              // A decision that writes: fenced on the generation it was decided on, so one made on
              // a view that had not heard of bob yet (a reconnect can settle before bob is made)
              // is made again, and the one that lands has seen him.
              java.util.concurrent.atomic.AtomicBoolean sawBob = new java.util.concurrent.atomic.AtomicBoolean();
              writer.run(TERM, (s, c) -> {
                sawBob.set(s.users().containsKey("bob"));
                return UserDecisions.put(s, user("carol"));
              });
              saw = sawBob.get();
            } catch (org.smbgw.coordinator.state.StoreException e) {
              if (e.kind() != org.smbgw.coordinator.state.StoreException.Kind.UNAVAILABLE || System.nanoTime() > deadline) {
                throw e;
              }
            }
          }
          assertTrue(saw, "the decision that landed after the reconnect saw the change made meanwhile");
          assertTrue(view.settled());
        }
      }
    }
  }

  /**
   * A write whose answer was lost (Curator retried it and the retry's fence failed) may have
   * landed; deciding again then answered a create that had landed with ALREADY_EXISTS. Whether
   * it landed is asked of ZooKeeper's events, by the decision's id.
   */
  @Test
  void whetherADecisionLandedIsReadFromZooKeepersEventsByItsId() throws Exception {
    withWriter((store, view, writer) -> {
      writer.run(TERM, (s, c) -> UserDecisions.put(s, user("alice")));
      String id = view.events().lastEntry().getValue().getDecision();
      assertTrue(!id.isEmpty(), "events carry their decision's id");
      assertTrue(store.decided(id, 200), "found in ZooKeeper");
      assertTrue(!store.decided("another-decision", 200), "another id is not");
      writer.run(TERM, (s, c) -> UserDecisions.put(s, user("bob")));
      assertTrue(!store.decided(id, 1), "only the newest events are looked through");
    });
  }

  @Test
  void aChangeWithNothingToWriteLeavesTheGenerationAlone() throws Exception {
    withWriter((store, view, writer) -> {
      assertEquals("nothing", writer.run(TERM, (s, c) -> Change.none("nothing")).reply());
      assertEquals(0, view.generation());
    });
  }

  @Test
  void aDecisionSeesRenewalsRecordedSinceTheLastOne() throws Exception {
    withWriter((store, view, writer) -> {
      writer.run(TERM, (s, c) -> Change.none("")); // the copy a later decision could reuse
      store.zk().create().forPath(ZkPaths.lease("n1"), Json.bytes(LeaseRecord.newBuilder().setNode("n1").build()));
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (!view.leases().containsKey("n1") && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertTrue(writer.run(TERM, (s, c) -> Change.none(s.leases().containsKey("n1"))).reply(),
          "a renewal changes no generation, but the lease rule needs it");
    });
  }
}
