package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smbgw.coordinator.decide.Cluster.AT;
import static org.smbgw.coordinator.decide.Cluster.GENERATION;
import static org.smbgw.coordinator.decide.Cluster.cephfs;
import static org.smbgw.coordinator.decide.Cluster.localZfs;
import static org.smbgw.coordinator.decide.Cluster.refused;
import static org.smbgw.coordinator.decide.Cluster.share;
import static org.smbgw.coordinator.decide.Cluster.writes;
import static org.smbgw.coordinator.decide.Cluster.written;

import io.grpc.Status;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.ConfirmRemovalRequest;
import org.smbgw.proto.v1.CreateAddressRequest;
import org.smbgw.proto.v1.DeleteAddressRequest;
import org.smbgw.proto.v1.DeleteUserRequest;
import org.smbgw.proto.v1.DrainNodeRequest;
import org.smbgw.proto.v1.DrainNodeResponse;
import org.smbgw.proto.v1.FloatingAddress;
import org.smbgw.proto.v1.MoveAddressRequest;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.UndrainNodeRequest;
import org.smbgw.proto.v1.UserSpec;

/** Node, address and user decisions as tables. */
class NodeAndAddressDecisionsTest {
  private static final String ADDRESS = "192.0.2.10/24";

  @Test
  void drainMovesWhatCanMoveAndReportsWhatCannotWithTheReason() {
    Cluster c = new Cluster().node("n1", cephfs(), localZfs()).node("n2", cephfs())
        .share(share("shared", "cephfs"), "n1").share(share("local", "local-zfs"), "n1").share(share("other", "cephfs"), "n2");
    Change<DrainNodeResponse> change = NodeDecisions.drain(c.snap(), AT, DrainNodeRequest.newBuilder().setName("n1").build());
    assertEquals(Map.of("shared", "n2"), change.reply().getMovedMap());
    assertEquals(List.of("local"), List.copyOf(change.reply().getStuckMap().keySet()));
    assertEquals(List.of("update /smbgw/v1/nodes/n1@3", "update /smbgw/v1/placements/shared@3"), writes(change));
    assertTrue(Cluster.<NodeRecord>written(change, "/smbgw/v1/nodes/n1").getMaintenance());
    assertEquals(1, change.moved());
  }

  @Test
  void drainReleasesAnAddressWithItsSharesInsteadOfMovingThePlacements() {
    AddressRecord a = AddressRecord.newBuilder().setAddress(ADDRESS).setNode("n1").build();
    Cluster c = new Cluster().node("n1", cephfs()).node("n2", cephfs()).address(a, 0)
        .share(share("a", "cephfs").toBuilder().setAddress(ADDRESS).build(), "n1");
    Change<DrainNodeResponse> change = NodeDecisions.drain(c.snap(), AT, DrainNodeRequest.newBuilder().setName("n1").build());
    AddressRecord next = written(change, "/smbgw/v1/addresses/192.0.2.10");
    assertEquals("n1", next.getReleasingFrom());
    assertEquals("n2", next.getMovingTo());
    assertFalse(writes(change).contains("update /smbgw/v1/placements/a@3"), "the duties move it once released");
  }

  @Test
  void anAddressWhoseShareCannotMoveStaysWithIt() {
    AddressRecord a = AddressRecord.newBuilder().setAddress(ADDRESS).setNode("n1").build();
    Cluster c = new Cluster().node("n1", cephfs()).node("n2", localZfs()).address(a, 0)
        .share(share("a", "cephfs").toBuilder().setAddress(ADDRESS).build(), "n1");
    Change<DrainNodeResponse> change = NodeDecisions.drain(c.snap(), AT, DrainNodeRequest.newBuilder().setName("n1").build());
    assertEquals(List.of("a"), List.copyOf(change.reply().getStuckMap().keySet()));
    assertEquals(List.of("update /smbgw/v1/nodes/n1@3"), writes(change), "the address is not released");
  }

  @Test
  void undrainMovesNothingBack() {
    Cluster c = new Cluster().node("n1", cephfs()).maintenance("n1");
    Change<?> change = NodeDecisions.undrain(c.snap(), UndrainNodeRequest.newBuilder().setName("n1").build());
    assertEquals(List.of("update /smbgw/v1/nodes/n1@3"), writes(change));
  }

  @Test
  void anUnknownNodeIsNotFound() {
    refused(Status.Code.NOT_FOUND, "node 'n9'",
        () -> NodeDecisions.drain(new Cluster().snap(), AT, DrainNodeRequest.newBuilder().setName("n9").build()));
  }

  @Test
  void onlyReportedLossesCanBeConfirmedAndTheConfirmationNamesTheNextGeneration() {
    Cluster c = new Cluster().node("n1", localZfs())
        .observed("n1", NodeObservedState.newBuilder().setCluster("c1").addLosses("share/a").build());
    refused(Status.Code.FAILED_PRECONDITION, "does not report share/b (it reports share/a)", () -> NodeDecisions
        .confirmRemoval(c.snap(), ConfirmRemovalRequest.newBuilder().setName("n1").addOnly("share/b").build()));
    Change<?> change = NodeDecisions.confirmRemoval(c.snap(), ConfirmRemovalRequest.newBuilder().setName("n1").build());
    NodeRecord next = written(change, "/smbgw/v1/nodes/n1");
    assertEquals(List.of("share/a"), next.getConfirmedRemovalsList());
    assertEquals(GENERATION + 1, next.getConfirmedGeneration());
  }

  @Test
  void anAddressGoesToTheNodeHoldingFewestAndNeverToOneInMaintenance() {
    AddressRecord held = AddressRecord.newBuilder().setAddress("192.0.2.11/24").setNode("n1").build();
    Cluster c = new Cluster().node("n1", cephfs()).node("n2", cephfs()).node("n3", cephfs()).maintenance("n2")
        .address(held, 0);
    Change<FloatingAddress> change = AddressDecisions.create(c.snap(), AT, List.of(),
        CreateAddressRequest.newBuilder().setAddress(ADDRESS).build());
    assertEquals("n3", change.reply().getNode());
    refused(Status.Code.FAILED_PRECONDITION, "node: n2 cannot take an address: it is in maintenance",
        () -> AddressDecisions.create(c.snap(), AT, List.of(),
            CreateAddressRequest.newBuilder().setAddress(ADDRESS).setNode("n2").build()));
  }

  @Test
  void anAddressOutsideTheConfiguredRangesIsRefused() {
    Cluster c = new Cluster().node("n1", cephfs());
    refused(Status.Code.FAILED_PRECONDITION, "must lie in vipRanges", () -> AddressDecisions.create(c.snap(), AT,
        List.of("198.51.100.0/24"), CreateAddressRequest.newBuilder().setAddress(ADDRESS).build()));
  }

  @Test
  void anAddressInUseCannotBeDeletedAndAMoveAsksTheHolderToReleaseIt() {
    AddressRecord a = AddressRecord.newBuilder().setAddress(ADDRESS).setNode("n1").build();
    Cluster c = new Cluster().node("n1", cephfs()).node("n2", cephfs()).address(a, 0)
        .share(share("a", "cephfs").toBuilder().setAddress(ADDRESS).build(), "n1");
    refused(Status.Code.FAILED_PRECONDITION, "is used by share(s) a",
        () -> AddressDecisions.delete(c.snap(), DeleteAddressRequest.newBuilder().setAddress(ADDRESS).build()));
    Change<FloatingAddress> move = AddressDecisions.move(c.snap(), AT,
        MoveAddressRequest.newBuilder().setAddress(ADDRESS).setNode("n2").build());
    assertEquals("moving", move.reply().getState());
    assertEquals("address.moving", move.events().get(0).kind());
  }

  @Test
  void aUserIsStoredWithItsHashInCanonicalFormAndItsDeletionIsRecorded() {
    Cluster c = new Cluster().node("n1", localZfs()).removal("user/alice", 5);
    Change<?> put = UserDecisions.put(c.snap(), PutUserRequest.newBuilder()
        .setSpec(UserSpec.newBuilder().setName("alice").setNtHash("ab".repeat(16))).build());
    assertEquals(List.of("update /smbgw/v1/rids@3", "create /smbgw/v1/users/alice", "delete /smbgw/v1/removed/user~alice@3"),
        writes(put),
        "made again: the old removal is forgotten");
    assertEquals("AB".repeat(16), Cluster.<UserSpec>written(put, "/smbgw/v1/users/alice").getNtHash());
    Cluster withAlice = new Cluster().user("alice");
    refused(Status.Code.ALREADY_EXISTS, "user 'alice'", () -> UserDecisions.put(withAlice.snap(), PutUserRequest.newBuilder()
        .setSpec(UserSpec.newBuilder().setName("alice").setNtHash("ab".repeat(16))).setCreateOnly(true).build()));
    assertEquals(List.of("delete /smbgw/v1/users/alice@3", "create /smbgw/v1/removed/user~alice"),
        writes(UserDecisions.delete(withAlice.snap(), DeleteUserRequest.newBuilder().setName("alice").build())));
  }
}
