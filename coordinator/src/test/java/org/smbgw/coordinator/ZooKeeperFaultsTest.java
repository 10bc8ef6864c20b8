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
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;

/** The coordinators on a real three-server ZooKeeper ensemble that loses servers. */
@Timeout(180)
class ZooKeeperFaultsTest {
  private static final String ADDRESS = "10.9.7.50/24";

  @Test
  void theLeadersZooKeeperServerKilledAndRestartedLosesNoCallAndNoLease() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      StorageOffer shared = StorageOffer.newBuilder().setId("ceph").setType("cephfs").setPath("/mnt/pve/ceph")
          .setShared(true).setFreeBytes(1L << 40).build();
      Replicas.FakeAgent a = r.agent("na", r.coordinators.get(1).address(), shared);
      Replicas.FakeAgent b = r.agent("nb", r.coordinators.get(2).address(), shared);
      List<String> problems = new CopyOnWriteArrayList<>();
      AtomicLong seqA = new AtomicLong();
      AtomicLong seqB = new AtomicLong();
      ScheduledExecutorService agents = Executors.newScheduledThreadPool(3);
      List<ManagedChannel> channels = new ArrayList<>();
      try {
        for (Coordinator c : r.coordinators) {
          channels.add(Replicas.channel(c.address()));
        }
        AdminServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(30, TimeUnit.SECONDS)
            .createAddress(CreateAddressRequest.newBuilder().setAddress(ADDRESS).setNode("na").build());
        // Renewals every L/4, as agents send them; a renewal not answered is a problem only if
        // the lease runs out (the address moves), which the end checks.
        agents.scheduleWithFixedDelay(() -> renew(a, seqA), 0, 500, TimeUnit.MILLISECONDS);
        agents.scheduleWithFixedDelay(() -> renew(b, seqB), 0, 500, TimeUnit.MILLISECONDS);
        AtomicLong created = new AtomicLong();
        AtomicLong attempts = new AtomicLong();
        agents.scheduleWithFixedDelay(() -> {
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
        agents.shutdown(); // calls under way finish
        assertTrue(agents.awaitTermination(60, TimeUnit.SECONDS));

        assertEquals(List.of(), problems, "admin calls lost while a ZooKeeper server was away");
        assertTrue(created.get() > 20, "calls kept going: " + created.get());
        Coordinator now = r.awaitLeader(Duration.ofSeconds(20));
        assertEquals("na", now.view().address(ADDRESS).orElseThrow().value().getNode(),
            "no lease was lost: the address stayed where it was");
      } finally {
        agents.shutdownNow();
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
    }
  }

  private static void renew(Replicas.FakeAgent agent, AtomicLong seq) {
    try {
      LeaseGrant g = agent.renew(seq.incrementAndGet(), LeaseRenewal.newBuilder());
      if (!g.getError().isEmpty()) {
        System.err.println("renewal refused: " + g.getError());
      }
    } catch (Throwable e) {
      System.err.println("renewal failed: " + e);
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
