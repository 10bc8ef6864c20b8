package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.test.InstanceSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateAddressRequest;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;

/** The coordinators on a real three-server ZooKeeper ensemble that loses servers. */
@Timeout(180)
class ZooKeeperFaultsTest {
  private static final String ADDRESS = "10.9.7.50/24";
  /** Storage every node has: the address can go to any of them. */
  private static final StorageOffer SHARED = StorageOffer.newBuilder().setId("ceph").setType("cephfs")
      .setPath("/mnt/pve/ceph").setShared(true).setFreeBytes(1L << 40).build();

  @Test
  void theLeadersZooKeeperServerKilledAndRestartedLosesNoCallAndNoLease() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      List<String> problems = new CopyOnWriteArrayList<>();
      ScheduledExecutorService calls = Executors.newScheduledThreadPool(1);
      List<ManagedChannel> channels = new ArrayList<>();
      try (Renewer a = new Renewer(streams(r, "na", SHARED)); Renewer b = new Renewer(streams(r, "nb", SHARED))) {
        for (Coordinator c : r.coordinators) {
          channels.add(Replicas.channel(c.address()));
        }
        AdminServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(30, TimeUnit.SECONDS)
            .createAddress(CreateAddressRequest.newBuilder().setAddress(ADDRESS).setNode("na").build());
        AtomicLong created = new AtomicLong();
        AtomicLong attempts = new AtomicLong();
        calls.scheduleWithFixedDelay(() -> {
          String name = "z" + attempts.incrementAndGet();
          try {
            call(channels, name);
            created.incrementAndGet();
          } catch (StatusRuntimeException e) {
            problems.add(name + ": " + e.getStatus());
          }
        }, 0, 100, TimeUnit.MILLISECONDS);
        Thread.sleep(1000);

        InstanceSpec serving = r.zk.findConnectionInstance(leader.zk().getZookeeperClient().getZooKeeper());
        assertTrue(r.zk.killServer(serving), "killed the leader's server");
        Thread.sleep(3000);
        assertTrue(r.zk.restartServer(serving));
        Thread.sleep(3000);
        calls.shutdown(); // calls under way finish
        assertTrue(calls.awaitTermination(60, TimeUnit.SECONDS));

        assertEquals(List.of(), problems, "admin calls lost while a ZooKeeper server was away");
        assertTrue(created.get() > 20, "calls kept going: " + created.get());
        Coordinator now = r.awaitLeader(Duration.ofSeconds(20));
        assertEquals("na", now.view().address(ADDRESS).orElseThrow().value().getNode(),
            "no lease was lost: the address stayed where it was");
        // And as the agent counts it: it holds the address until a recorded renewal's send time
        // plus L, and the kernel's lifetime ends up to 250 ms before that (Lease.STRETCH_FROM_NANOS).
        Duration gap = a.longestGap();
        Duration kept = LEASE.minusMillis(250);
        System.out.println("na's longest time without a recorded renewal: " + gap.toMillis() + " ms; " + a.log());
        assertTrue(gap.compareTo(kept) < 0, "na's agent went " + gap.toMillis() + " ms without a recorded renewal"
            + " (its address stays up for " + kept.toMillis() + " ms after one): the address went down; renewals: "
            + a.log());
      } finally {
        calls.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
      }
    }
  }

  @Test
  void theLeadersSessionExpiredEndsItsTermAndItsPendingWritesAreRejected() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      org.smbgw.coordinator.election.Term old = leader.leadership().term().orElseThrow();
      leader.zk().getZookeeperClient().getZooKeeper().getTestable().injectSessionExpiration();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      Coordinator next = null;
      while (System.nanoTime() < deadline) {
        next = r.coordinators.stream().filter(c -> c.leadership().term().map(t -> t.epoch() > old.epoch()).orElse(false))
            .findFirst().orElse(null);
        if (next != null) {
          break;
        }
        Thread.sleep(50);
      }
      assertTrue(next != null, "a new term began");
      org.smbgw.coordinator.state.StateStore store = new org.smbgw.coordinator.state.StateStore(next.zk(), TestKeys.SEAL);
      var ops = store.ops();
      ops.add(store.create(org.smbgw.coordinator.state.ZkPaths.user("stale"),
          org.smbgw.proto.v1.UserSpec.newBuilder().setName("stale").build()));
      org.smbgw.coordinator.state.StoreException e = org.junit.jupiter.api.Assertions.assertThrows(
          org.smbgw.coordinator.state.StoreException.class, () -> store.fenced(old, ops));
      assertEquals(org.smbgw.coordinator.state.StoreException.Kind.NOT_LEADER, e.kind());
      assertTrue(next.zk().checkExists().forPath(org.smbgw.coordinator.state.ZkPaths.user("stale")) == null);
      // Its member znode goes with its old session (which the server ends only at its timeout,
      // after the client gave it up); its new session must own one again.
      String member = org.smbgw.coordinator.state.ZkPaths.MEMBERS + "/" + leader.address();
      deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (!ownedBy(next, member, leader.zk().getZookeeperClient().getZooKeeper().getSessionId())) {
        assertTrue(System.nanoTime() < deadline, "the old leader's new session is not a member");
        Thread.sleep(50);
      }
    }
  }

  private static boolean ownedBy(Coordinator c, String path, long session) throws Exception {
    org.apache.zookeeper.data.Stat st = c.zk().checkExists().forPath(path);
    return st != null && st.getEphemeralOwner() == session;
  }

  /**
   * The ensemble loses its quorum for longer than a lease, then gets it back. Nothing may be
   * reassigned, during the outage or after it: no replica can write meanwhile, and time without
   * ZooKeeper is not counted against a lease (DESIGN 4), so an agent that renews as soon as a
   * replica can record it again keeps its address, although its own lease ran out meanwhile.
   */
  @Test
  void aQuorumLostForLongerThanALeaseAndRegainedReassignsNothing() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      r.awaitLeader(Duration.ofSeconds(20));
      ManagedChannel admin = Replicas.channel(r.coordinators.get(0).address());
      // nb renews too: a node the address could move to, or nothing would move whatever the rule.
      try (Renewer a = new Renewer(streams(r, "na", SHARED)); Renewer b = new Renewer(streams(r, "nb", SHARED))) {
        AdminServiceGrpc.newBlockingStub(admin).withDeadlineAfter(30, TimeUnit.SECONDS)
            .createAddress(CreateAddressRequest.newBuilder().setAddress(ADDRESS).setNode("na").build());
        a.awaitRecordedAfter(System.nanoTime(), Duration.ofSeconds(20));
        b.awaitRecordedAfter(System.nanoTime(), Duration.ofSeconds(20));
        org.smbgw.coordinator.state.Tracked<org.smbgw.proto.v1.AddressRecord> before =
            r.awaitLeader(Duration.ofSeconds(20)).view().address(ADDRESS).orElseThrow();
        java.util.NavigableMap<Long, org.smbgw.proto.v1.Event> seen = r.awaitLeader(Duration.ofSeconds(20)).view().events();
        long lastEvent = seen.isEmpty() ? 0 : seen.lastKey();

        List<InstanceSpec> lost = new ArrayList<>(r.zk.getInstances()).subList(0, 2);
        // na's agent is in a wait between tries when the quorum comes back (up to a second,
        // Reconnects), so its first renewal lands a while after the replicas can count again:
        // a leader that counted the outage would move the address in that while. Paused right
        // after a renewal was recorded, so that the lease has all but that moment left.
        a.pauseAfterARecordedRenewal(Duration.ofSeconds(10));
        for (InstanceSpec i : lost) {
          assertTrue(r.zk.killServer(i), "killed " + i);
        }
        Thread.sleep(LEASE.toMillis() * 2); // well past L plus margin
        for (InstanceSpec i : lost) {
          assertTrue(r.zk.restartServer(i), "restarted " + i);
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (r.coordinators.stream().noneMatch(c -> c.zk().getZookeeperClient().isConnected())) {
          assertTrue(System.nanoTime() < deadline, "no replica reconnected to ZooKeeper");
          Thread.sleep(20);
        }
        Thread.sleep(500); // from the first replica's reconnect: the leader's clock runs at most that long
        long back = System.nanoTime();
        a.paused = false;
        a.awaitRecordedAfter(back, Duration.ofSeconds(30));
        System.out.println("na's first renewal after the outage was recorded "
            + (a.lastRecorded() - back) / 1_000_000 + " ms after it tried again; " + a.log());
        // As long again as a lease and its margin from the first renewal recorded: a leader that
        // counted the outage would move the address in that time.
        Thread.sleep(LEASE.toMillis() + 250 + 1000);

        Coordinator now = r.awaitLeader(Duration.ofSeconds(20));
        org.smbgw.coordinator.state.Tracked<org.smbgw.proto.v1.AddressRecord> after = now.view().address(ADDRESS).orElseThrow();
        assertEquals("na", after.value().getNode(), "the address was reassigned");
        assertEquals(before.version(), after.version(), "the address record was written: " + after.value());
        List<String> moves = now.view().events().tailMap(lastEvent, false).values().stream()
            .filter(e -> e.getKind().startsWith("address.")).map(e -> e.getKind() + ": " + e.getMessage()).toList();
        assertEquals(List.of(), moves, "address events after the quorum came back");
      } finally {
        admin.shutdownNow();
      }
    }
  }

  /** The lease the replicas grant ({@link Replicas}). */
  private static final Duration LEASE = Duration.ofMillis(2000);

  /** One stream of {@code node} on each replica, in the order an agent tries them. */
  private static List<Replicas.FakeAgent> streams(Replicas r, String node, StorageOffer storage) throws Exception {
    List<Replicas.FakeAgent> out = new ArrayList<>();
    for (Coordinator c : r.coordinators) {
      out.add(r.agent(node, c.address(), storage));
    }
    return out;
  }

  /**
   * A node's lease as its agent keeps it (AddressKeeper, Reconnects): a renewal every L/4; one
   * refused, or unanswered after L/8, is followed 100 ms later by one to the next replica. Records
   * when each renewal that was recorded left, from which the agent may hold its addresses for L.
   * Kinder than an agent in two ways: its streams to every replica are open already (an agent
   * opens one, with a TLS handshake and a hello, at each switch), and it never waits longer than
   * 100 ms between tries (an agent waits 200 ms and more once a whole round failed).
   */
  private static final class Renewer implements AutoCloseable {
    private final List<Replicas.FakeAgent> replicas;
    private final List<Long> recordedAt = new CopyOnWriteArrayList<>();
    private final List<String> log = new CopyOnWriteArrayList<>();
    private final long started = System.nanoTime();
    private final Thread thread;
    private volatile boolean stop;
    /** Sends nothing while set. */
    volatile boolean paused;
    private volatile boolean pauseAfterNext;

    Renewer(List<Replicas.FakeAgent> replicas) {
      this.replicas = replicas;
      thread = new Thread(this::loop, "renewer");
      thread.setDaemon(true);
      thread.start();
    }

    private void loop() {
      long seq = 0;
      int on = 0;
      while (!stop) {
        if (paused) {
          try {
            Thread.sleep(20);
          } catch (InterruptedException e) {
            return;
          }
          continue;
        }
        long sent = System.nanoTime();
        String outcome;
        try {
          outcome = replicas.get(on % replicas.size()).renew(++seq, LeaseRenewal.newBuilder(), LEASE.dividedBy(8))
              .map(g -> g.getError().isEmpty() && g.getLeaseMillis() >= 1000 ? "" : "refused: " + g.getError())
              .orElse("unanswered");
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          outcome = e.toString(); // the stream broke
        }
        if (outcome.isEmpty()) {
          recordedAt.add(sent);
          if (pauseAfterNext) {
            pauseAfterNext = false;
            paused = true;
            continue;
          }
        } else {
          log.add(String.format("%.2f s on replica %d: %s", (sent - started) / 1e9, on % replicas.size(), outcome));
          on++;
        }
        try {
          Thread.sleep(outcome.isEmpty() ? LEASE.toMillis() / 4 : 100);
        } catch (InterruptedException e) {
          return;
        }
      }
    }

    /** Stops sending right after the next renewal that is recorded. */
    void pauseAfterARecordedRenewal(Duration patience) throws InterruptedException {
      pauseAfterNext = true;
      long deadline = System.nanoTime() + patience.toNanos();
      while (!paused) {
        assertTrue(System.nanoTime() < deadline, "no renewal recorded in " + patience + ": " + log);
        Thread.sleep(5);
      }
    }

    long lastRecorded() {
      return recordedAt.get(recordedAt.size() - 1);
    }

    void awaitRecordedAfter(long nanos, Duration patience) throws InterruptedException {
      long deadline = System.nanoTime() + patience.toNanos();
      while (recordedAt.stream().noneMatch(t -> t - nanos >= 0)) {
        assertTrue(System.nanoTime() < deadline, "no renewal recorded in " + patience + ": " + log);
        Thread.sleep(20);
      }
    }

    /** The longest time between two recorded renewals' send times, or since the last one. */
    Duration longestGap() {
      List<Long> times = new ArrayList<>(recordedAt);
      times.add(System.nanoTime());
      long longest = 0;
      for (int i = 1; i < times.size(); i++) {
        longest = Math.max(longest, times.get(i) - times.get(i - 1));
      }
      return Duration.ofNanos(longest);
    }

    String log() {
      return log.toString();
    }

    @Override
    public void close() throws InterruptedException {
      stop = true;
      thread.interrupt();
      thread.join(5000);
    }
  }

  /**
   * Creates a share as the CLI would: each replica in turn while they answer UNAVAILABLE. A replica
   * can answer UNAVAILABLE for a create that landed (the answer was what got lost); the retry
   * elsewhere then meets ALREADY_EXISTS, and the call landed if the share is there as asked.
   */
  private static void call(List<ManagedChannel> channels, String name) {
    ShareSpec spec = ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder().setPve("ceph"))
        .setRead(Access.newBuilder().addGroups("staff")).build();
    StatusRuntimeException last = null;
    for (ManagedChannel ch : channels) {
      try {
        AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS).createShare(
            CreateShareRequest.newBuilder().setSpec(spec).build());
        return;
      } catch (StatusRuntimeException e) {
        if (last != null && e.getStatus().getCode() == io.grpc.Status.Code.ALREADY_EXISTS
            && AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
                .getShare(org.smbgw.proto.v1.GetShareRequest.newBuilder().setName(name).build()).getSpec().equals(spec)) {
          return; // the earlier attempt landed
        }
        if (e.getStatus().getCode() != io.grpc.Status.Code.UNAVAILABLE) {
          throw e;
        }
        last = e;
      }
    }
    throw last;
  }
}
