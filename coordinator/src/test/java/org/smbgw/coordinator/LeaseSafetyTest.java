package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateAddressRequest;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.StorageOffer;
import org.smbgw.proto.v1.TcpConnection;
import org.smbgw.proto.v1.WatchEventsRequest;

/**
 * The lease protocol at the coordinators, with agents that speak it by hand (no addresses are
 * touched here; the namespaced lab in e2e does that): a node that stops renewing loses its address
 * no earlier than L + margin after its last renewal, to a node that renews; a late renewal of the
 * silent node is never granted the moved address; the new holder gets the old holder's client
 * connections to tickle; the failover is recorded with its phases once the new holder serves.
 */
@Timeout(120)
class LeaseSafetyTest {
  private static final String ADDRESS = "10.9.8.50/24";

  @Test
  void aSilentNodeLosesItsAddressOnlyAfterTheLeaseAndNeverGetsItBack() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator follower = r.follower();
      StorageOffer shared = StorageOffer.newBuilder().setId("ceph").setType("cephfs").setPath("/mnt/pve/ceph")
          .setShared(true).setFreeBytes(1L << 40).build();
      Replicas.FakeAgent a = r.agent("na", follower.address(), shared);
      Replicas.FakeAgent b = r.agent("nb", r.coordinators.get(0).address(), shared);
      ScheduledExecutorService renewals = Executors.newScheduledThreadPool(2);
      AtomicBoolean aRenews = new AtomicBoolean(true);
      AtomicLong aLastSent = new AtomicLong();
      AtomicLong seqA = new AtomicLong();
      AtomicLong seqB = new AtomicLong();
      List<String> bHolds = new java.util.concurrent.CopyOnWriteArrayList<>();
      long bUp = System.currentTimeMillis();
      renewals.scheduleWithFixedDelay(() -> {
        if (aRenews.get()) {
          try {
            long sent = System.nanoTime();
            a.renew(seqA.incrementAndGet(), LeaseRenewal.newBuilder().addConnections(TcpConnection.newBuilder()
                .setServer("10.9.8.50:445").setClient("10.9.8.200:50123")));
            aLastSent.set(sent);
          } catch (Exception e) {
            // the assertions below tell
          }
        }
      }, 0, 500, TimeUnit.MILLISECONDS);
      renewals.scheduleWithFixedDelay(() -> {
        try {
          LeaseRenewal.Builder rb = LeaseRenewal.newBuilder();
          bHolds.forEach(h -> rb.addHeld(HeldAddress.newBuilder().setAddress(h).setUpAtMillis(bUp).setServingAtMillis(bUp)));
          LeaseGrant g = b.renew(seqB.incrementAndGet(), rb);
          bHolds.clear();
          g.getAddressesList().forEach(x -> bHolds.add(x.getAddress()));
        } catch (Exception e) {
          // the assertions below tell
        }
      }, 0, 500, TimeUnit.MILLISECONDS);

      ManagedChannel ch = NettyChannelBuilder.forTarget(follower.address()).usePlaintext().build();
      r.closeables.add(ch::shutdownNow);
      AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(ch);
      admin.createAddress(CreateAddressRequest.newBuilder().setAddress(ADDRESS).setNode("na").build());
      awaitGrant(a, seqA, true);

      aRenews.set(false);
      Thread.sleep(100);
      long lastSent = aLastSent.get();
      long movedAt = 0;
      while (movedAt == 0) {
        var rec = follower.view().address(ADDRESS);
        if (rec.isPresent() && rec.get().value().getNode().equals("nb")) {
          movedAt = System.nanoTime();
          assertEquals(List.of(TcpConnection.newBuilder().setServer("10.9.8.50:445").setClient("10.9.8.200:50123").build()),
              rec.get().value().getTicklesList(), "the old holder's connections go to the new one for tickles");
        }
        Thread.sleep(5);
      }
      assertTrue(movedAt - lastSent >= Duration.ofMillis(2000).toNanos(),
          "moved " + (movedAt - lastSent) / 1_000_000 + " ms after the silent node's last renewal was sent, within its lease");

      // The silent node wakes up and renews: its grant must not name the moved address.
      LeaseGrant late = a.renew(seqA.incrementAndGet(), LeaseRenewal.newBuilder());
      assertEquals("", late.getError());
      assertTrue(late.getAddressesList().isEmpty(), "a late renewal got the moved address back: " + late);
      awaitGrant(b, seqB, true);

      // Once the new holder reports it serving, the failover is an event with its phases.
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      String failover = null;
      while (failover == null && System.nanoTime() < deadline) {
        var events = AdminServiceGrpc.newBlockingStub(ch).watchEvents(WatchEventsRequest.getDefaultInstance());
        while (events.hasNext()) {
          var e = events.next();
          if (e.getKind().equals("address.failover")) {
            failover = e.getMessage();
          }
        }
        Thread.sleep(100);
      }
      assertTrue(failover != null && failover.contains("from na to nb") && failover.contains("detected")
          && failover.contains("serving"), "failover event: " + failover);
      renewals.shutdownNow();
    }
  }

  private static void awaitGrant(Replicas.FakeAgent agent, AtomicLong seq, boolean holds) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (System.nanoTime() < deadline) {
      long s = seq.get();
      var g = agent.grants.stream().filter(x -> x.getSeq() == s).findFirst();
      if (g.isPresent() && g.get().getAddressesList().stream().anyMatch(x -> x.getAddress().equals(ADDRESS)) == holds) {
        return;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no grant " + (holds ? "with " : "without ") + ADDRESS);
  }
}
