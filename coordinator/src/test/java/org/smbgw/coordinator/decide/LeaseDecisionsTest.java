package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smbgw.coordinator.decide.Cluster.AT;
import static org.smbgw.coordinator.decide.Cluster.cephfs;
import static org.smbgw.coordinator.decide.Cluster.localZfs;
import static org.smbgw.coordinator.decide.Cluster.ms;
import static org.smbgw.coordinator.decide.Cluster.share;
import static org.smbgw.coordinator.decide.Cluster.writes;
import static org.smbgw.coordinator.decide.Cluster.written;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.smbgw.coordinator.ha.LeaseSettings;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.Failover;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.StorageOffer;

/**
 * The leader's address decisions on a fake clock (milliseconds on the replica's listening clock;
 * L 2000, margin 150): DESIGN 4's lease rule, planned moves and the record of a finished failover.
 */
class LeaseDecisionsTest {
  private static final LeaseSettings L = new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(150));
  private static final String ADDRESS = "192.0.2.10/24";
  private static final String KEY = ZkPaths.addressKey(ADDRESS);

  /**
   * n1 holds the address (granted at {@code granted}) with share "a"; its last renewal was heard at
   * {@code renewed}; n2 renews steadily; the clock reads {@code now}.
   */
  private static Cluster holding(long granted, long renewed, long now, StorageOffer storage) {
    return new Cluster().at(now).node("n1", storage).node("n2", storage)
        .lease("n1", ms(renewed), ms(renewed))
        .address(AddressRecord.newBuilder().setAddress(ADDRESS).setNode("n1").build(), ms(granted))
        .share(share("a", storage.getId()).toBuilder().setAddress(ADDRESS).build(), "n1");
  }

  private static Change<String> step(Cluster c) {
    return LeaseDecisions.step(c.snap(), AT, L, KEY);
  }

  @ParameterizedTest(name = "granted at {0}, renewal heard at {1}, now {2}: moves {3}")
  @CsvSource({
      "0, 10000, 12149, false", // L + margin - 1 ms after the last renewal: nothing moves
      "0, 10000, 12150, false",
      "0, 10000, 12151, true", // L + margin + 1 ms: it moves
      "11000, 10000, 12151, false", // an address granted after the renewal counts from the grant
      "11000, 10000, 13151, true",
      // Inherited: a new leader that heard this lease version as a follower at 500 counts from
      // there, not from its takeover at 2000.
      "0, 500, 2649, false",
      "0, 500, 2650, false",
      "0, 500, 2651, true",
  })
  void anAddressMovesOnlyOnceItsHoldersLeaseIsExpired(long granted, long renewed, long now, boolean moves) {
    Change<String> change = step(holding(granted, renewed, now, cephfs()));
    assertEquals(moves, !change.writesNothing(), writes(change).toString());
  }

  @Test
  void aFailoverChecksTheLeaseItJudgedAndTakesTheSharesAndTheClientsAlong() {
    Change<String> change = step(holding(0, 10_000, 12_151, cephfs()));
    assertEquals(List.of("check /smbgw/v1/leases/n1@3", "update /smbgw/v1/addresses/192.0.2.10@3",
        "update /smbgw/v1/placements/a@3"), writes(change), "a renewal recorded since fails the whole change");
    AddressRecord next = written(change, "/smbgw/v1/addresses/192.0.2.10");
    assertEquals("n2", next.getNode());
    assertEquals("n1", next.getFailover().getFromNode());
    assertEquals(Cluster.EPOCH, next.getEpoch());
    assertEquals("failover", change.cause());
    assertEquals(1, change.moved());
    assertEquals("address.failover.started", change.events().get(0).kind());
  }

  @Test
  void anAddressWithNodeLocalSharesGoesDownRatherThanLeaveItsData() {
    Change<String> change = step(holding(0, 10_000, 12_151, localZfs()));
    AddressRecord next = written(change, "/smbgw/v1/addresses/192.0.2.10");
    assertEquals("", next.getNode());
    assertEquals("address.down", change.events().get(0).kind());
    assertTrue(change.reply().contains("share 'a' cannot leave its node: its storage local-zfs is node-local"), change.reply());
  }

  @Test
  void aNodeThatHasNotRenewedLatelyIsNoTarget() {
    // n2's lease last changed 1000 ms ago (L/2): it would take the address only to lose it.
    Cluster c = holding(0, 10_000, 12_151, cephfs()).lease("n2", ms(11_151), ms(11_151));
    assertEquals("address.down", step(c).events().get(0).kind());
  }

  @Test
  void aPlannedMoveWaitsForTheHolderToRenewWithoutTheAddress() {
    AddressRecord releasing = AddressRecord.newBuilder().setAddress(ADDRESS).setReleasingFrom("n1").setMovingTo("n2").build();
    Cluster c = new Cluster().at(10_000).node("n1", cephfs()).node("n2", cephfs()).address(releasing, ms(10_000))
        .share(share("a", "cephfs").toBuilder().setAddress(ADDRESS).build(), "n1");
    assertTrue(step(c).writesNothing(), "no renewal since the release");
    HeldAddress still = HeldAddress.newBuilder().setAddress(ADDRESS).build();
    assertTrue(step(c.renewedSince("n1", still)).writesNothing(), "renewed, still holding it");
    Change<String> change = step(c.renewedSince("n1"));
    AddressRecord next = written(change, "/smbgw/v1/addresses/192.0.2.10");
    assertEquals("n2", next.getNode());
    assertEquals("", next.getReleasingFrom());
    assertEquals(List.of("update /smbgw/v1/addresses/192.0.2.10@3", "update /smbgw/v1/placements/a@3"), writes(change));
    assertEquals("planned", change.cause());
  }

  @Test
  void aFinishedFailoverIsRecordedWithItsPhasesOnceTheNewHolderServes() {
    AddressRecord moved = AddressRecord.newBuilder().setAddress(ADDRESS).setNode("n2").setFailover(Failover.newBuilder()
        .setFromNode("n1").setLastRenewalMillis(1_000).setDetectedMillis(3_200).setReassignedMillis(3_210)).build();
    Cluster c = new Cluster().at(5_000).node("n2", cephfs()).address(moved, ms(3_300));
    assertTrue(step(c.lease("n2", ms(4_000), ms(4_000), HeldAddress.newBuilder().setAddress(ADDRESS).setUpAtMillis(3_400)
        .build())).writesNothing(), "up, not serving yet");
    Change<String> change = step(c.lease("n2", ms(4_000), ms(4_000), HeldAddress.newBuilder().setAddress(ADDRESS)
        .setUpAtMillis(3_400).setServingAtMillis(3_500).build()));
    assertEquals(List.of("detected=2.2", "reassigned=2.21", "address_up=2.4", "serving=2.5"),
        change.failover().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList());
    assertEquals("address.failover", change.events().get(0).kind());
    assertTrue(!Cluster.<AddressRecord>written(change, "/smbgw/v1/addresses/192.0.2.10").hasFailover());
  }
}
