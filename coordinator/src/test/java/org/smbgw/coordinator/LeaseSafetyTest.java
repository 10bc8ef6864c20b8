package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateAddressRequest;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.StorageOffer;
import org.smbgw.proto.v1.TcpConnection;
import org.smbgw.proto.v1.WatchEventsRequest;

/**
 * The lease protocol at the coordinators, with agents that speak it by hand (no addresses are
 * touched here; the namespaced lab in e2e does that), on a clock the test moves: a node that stops
 * renewing keeps its address at L + margin minus 1 ms after the last renewal the leader saw and
 * loses it at plus 1 ms, to a node that renews; a late renewal of the silent node is never granted
 * the moved address; the new holder gets the old holder's client connections to tickle; the
 * failover is recorded with its phases once the new holder serves.
 */
@Timeout(120)
class LeaseSafetyTest {
  private static final String ADDRESS = "10.9.8.50/24";
  private static final TcpConnection CLIENT = TcpConnection.newBuilder().setServer("10.9.8.50:445")
      .setClient("10.9.8.200:50123").build();
  /** CoordinatorConfig's lease and margin in Replicas: 2000 ms and 250 ms. */
  private static final long EXPIRY_NANOS = Duration.ofMillis(2250).toNanos();
  private static final long MS = 1_000_000;

  @Test
  void aSilentNodeLosesItsAddressOnlyAfterTheLeaseAndNeverGetsItBack() throws Exception {
    AtomicLong clock = new AtomicLong(1_000 * MS);
    try (Replicas r = new Replicas().ticker(clock::get).start(3)) {
      Coordinator follower = r.follower();
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      StorageOffer shared = StorageOffer.newBuilder().setId("ceph").setType("cephfs").setPath("/mnt/pve/ceph")
          .setShared(true).setFreeBytes(1L << 40).build();
      Replicas.FakeAgent a = r.agent("na", follower.address(), shared);
      Replicas.FakeAgent b = r.agent("nb", r.coordinators.get(0).address(), shared);
      AtomicLong seqA = new AtomicLong();
      AtomicLong seqB = new AtomicLong();
      renew(leader, "na", a, seqA, LeaseRenewal.newBuilder().addConnections(CLIENT));
      renew(leader, "nb", b, seqB, LeaseRenewal.newBuilder());

      ManagedChannel ch = Replicas.channel(follower.address());
      r.closeables.add(ch::shutdownNow);
      AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(ch);
      admin.createAddress(CreateAddressRequest.newBuilder().setAddress(ADDRESS).setNode("na").build());
      // The replica that answers na's renewals grants the address once its view shows the record.
      LeaseGrant granted = renew(leader, "na", a, seqA, LeaseRenewal.newBuilder().addConnections(CLIENT));
      long grantDeadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (granted.getAddressesList().stream().noneMatch(x -> x.getAddress().equals(ADDRESS))
          && System.nanoTime() < grantDeadline) {
        Thread.sleep(20);
        granted = renew(leader, "na", a, seqA, LeaseRenewal.newBuilder().addConnections(CLIENT));
      }
      assertTrue(granted.getAddressesList().stream().anyMatch(x -> x.getAddress().equals(ADDRESS)), granted.toString());
      Tracked<AddressRecord> record = awaitAddress(leader, "na");
      // Expiry counts the leader's listening clock (its time connected to ZooKeeper, here all of
      // it): the same ticks as the fake clock, from another zero.
      long lastSeen = Math.max(leader.view().leases().get("na").heardNanos(), record.heardNanos())
          + clock.get() - leader.view().heard();

      // na falls silent. Just short of L + margin after the last renewal the leader saw, with nb
      // renewing, nothing moves.
      clock.set(lastSeen + EXPIRY_NANOS - MS);
      renew(leader, "nb", b, seqB, LeaseRenewal.newBuilder());
      long ticks = Duration.ofMillis(400).toMillis(); // eight runs of the leader's address duties
      Thread.sleep(ticks);
      assertEquals("na", leader.view().address(ADDRESS).orElseThrow().value().getNode(),
          "moved before the silent node's lease ran out");

      clock.set(lastSeen + EXPIRY_NANOS + MS);
      Tracked<AddressRecord> moved = awaitAddress(leader, "nb");
      assertEquals(List.of(CLIENT), moved.value().getTicklesList(), "the old holder's connections go with it");

      // The silent node wakes up and renews: its grant must not name the moved address.
      LeaseGrant late = renew(leader, "na", a, seqA, LeaseRenewal.newBuilder());
      assertEquals("", late.getError());
      assertTrue(late.getAddressesList().isEmpty(), "a late renewal got the moved address back: " + late);
      long up = System.currentTimeMillis();
      LeaseGrant taken = renew(leader, "nb", b, seqB, LeaseRenewal.newBuilder());
      while (taken.getAddressesList().stream().noneMatch(x -> x.getAddress().equals(ADDRESS))
          && System.nanoTime() < grantDeadline + Duration.ofSeconds(20).toNanos()) {
        Thread.sleep(20);
        taken = renew(leader, "nb", b, seqB, LeaseRenewal.newBuilder());
      }
      assertTrue(taken.getAddressesList().stream().anyMatch(x -> x.getAddress().equals(ADDRESS)), taken.toString());

      // Once the new holder reports it serving, the failover is an event with its phases.
      renew(leader, "nb", b, seqB, LeaseRenewal.newBuilder().addHeld(HeldAddress.newBuilder().setAddress(ADDRESS)
          .setUpAtMillis(up).setServingAtMillis(up)));
      String failover = null;
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (failover == null && System.nanoTime() < deadline) {
        var events = admin.watchEvents(WatchEventsRequest.getDefaultInstance());
        while (events.hasNext()) {
          var e = events.next();
          if (e.getKind().equals("address.failover")) {
            failover = e.getMessage();
          }
        }
        Thread.sleep(50);
      }
      assertTrue(failover != null && failover.contains("from na to nb") && failover.contains("detected")
          && failover.contains("serving"), "failover event: " + failover);
    }
  }

  /** Renews and waits until the leader's view shows the lease version that renewal wrote. */
  private static LeaseGrant renew(Coordinator leader, String node, Replicas.FakeAgent agent, AtomicLong seq,
      LeaseRenewal.Builder renewal) throws Exception {
    Tracked<LeaseRecord> before = leader.view().leases().get(node);
    LeaseGrant g = agent.renew(seq.incrementAndGet(), renewal);
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (System.nanoTime() < deadline) {
      Tracked<LeaseRecord> now = leader.view().leases().get(node);
      if (now != null && (before == null || now.version() > before.version())) {
        return g;
      }
      Thread.sleep(5);
    }
    throw new AssertionError("the leader never saw renewal " + seq.get() + " of " + node);
  }

  private static Tracked<AddressRecord> awaitAddress(Coordinator leader, String node) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      Optional<Tracked<AddressRecord>> rec = leader.view().address(ADDRESS);
      if (rec.isPresent() && rec.get().value().getNode().equals(node)) {
        return rec.get();
      }
      Thread.sleep(5);
    }
    throw new AssertionError(ADDRESS + " never on " + node + ": " + leader.view().address(ADDRESS));
  }
}
