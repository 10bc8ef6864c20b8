package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smbgw.coordinator.decide.Cluster.AT;
import static org.smbgw.coordinator.decide.Cluster.EPOCH;
import static org.smbgw.coordinator.decide.Cluster.GENERATION;
import static org.smbgw.coordinator.decide.Cluster.cephfs;
import static org.smbgw.coordinator.decide.Cluster.localZfs;
import static org.smbgw.coordinator.decide.Cluster.refused;
import static org.smbgw.coordinator.decide.Cluster.share;
import static org.smbgw.coordinator.decide.Cluster.writes;
import static org.smbgw.coordinator.decide.Cluster.written;

import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.DeleteShareRequest;
import org.smbgw.proto.v1.DeleteShareResponse;
import org.smbgw.proto.v1.MoveShareRequest;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.Removal;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UpdateShareRequest;

/** Share decisions as tables: a snapshot and a request in, the writes, events and reply out. */
class ShareDecisionsTest {
  private static final String RANGE = "192.0.2.0/24";

  private static Change<Share> create(Cluster c, ShareSpec spec) {
    return ShareDecisions.create(c.snap(), AT, List.of(), CreateShareRequest.newBuilder().setSpec(spec).build());
  }

  @Test
  void aNewShareGoesToTheLeastLoadedNodeWithItsPlacementInTheSameChange() {
    Cluster c = new Cluster().node("n1", localZfs()).node("n2", localZfs()).share(share("a", "local-zfs"), "n1");
    Change<Share> change = create(c, share("b", "local-zfs"));
    assertEquals(List.of("create /smbgw/v1/shares/b", "create /smbgw/v1/placements/b"), writes(change));
    assertEquals("n2", change.reply().getNode());
    assertEquals(EPOCH, Cluster.<Placement>written(change, "/smbgw/v1/placements/b").getEpoch(),
        "the leader's epoch, not the view's");
    assertEquals("share.created", change.events().get(0).kind());
    assertEquals("placed on n2", change.events().get(0).message());
  }

  @Test
  void aNameTakenUnderAnotherCaseIsRefusedNamingTheShareThatHasIt() {
    Cluster c = new Cluster().node("n1", localZfs()).share(share("Data", "local-zfs"), "n1");
    refused(Status.Code.ALREADY_EXISTS, "share 'Data'", () -> create(c, share("data", "local-zfs")));
  }

  @Test
  void aNameWhosePurgeIsPendingCannotBeCreatedAgain() {
    Cluster c = new Cluster().node("n1", localZfs()).purge("a", "n1", GENERATION);
    refused(Status.Code.FAILED_PRECONDITION, "purge of an earlier share named 'a'", () -> create(c, share("a", "local-zfs")));
  }

  @Test
  void aShareNoNodeCanHostIsRefusedSayingWhy() {
    Cluster c = new Cluster().node("n1", localZfs());
    refused(Status.Code.FAILED_PRECONDITION, "fits nowhere", () -> create(c, share("a", "cephfs")));
  }

  @Test
  void aNewShareNamingAnUnknownAddressCreatesItImplicitlyOnTheShareNode() {
    Cluster c = new Cluster().node("n1", cephfs());
    ShareSpec spec = share("a", "cephfs").toBuilder().setAddress("192.0.2.10/24").build();
    Change<Share> change = create(c, spec);
    AddressRecord a = written(change, "/smbgw/v1/addresses/192.0.2.10");
    assertEquals("n1", a.getNode());
    assertTrue(a.getImplicit());
    assertEquals(EPOCH, a.getEpoch());
  }

  @Test
  void aShareOnNodeLocalStorageCannotHaveAFloatingAddress() {
    Cluster c = new Cluster().node("n1", localZfs());
    ShareSpec spec = share("a", "local-zfs").toBuilder().setAddress("192.0.2.10/24").build();
    refused(Status.Code.FAILED_PRECONDITION, "spec.address: share 'a' cannot have a floating address", () -> create(c, spec));
  }

  @Test
  void anUpdateKeepsThePlacementAndWritesTheSpecAtItsVersion() {
    Cluster c = new Cluster().node("n1", localZfs()).node("n2", localZfs()).share(share("a", "local-zfs"), "n1");
    ShareSpec next = share("a", "local-zfs").toBuilder().setComment("new").build();
    Change<Share> change = ShareDecisions.update(c.snap(), AT, List.of(), UpdateShareRequest.newBuilder().setSpec(next).build());
    assertEquals(List.of("update /smbgw/v1/shares/a@3"), writes(change));
    assertEquals(0, change.moved());
  }

  @Test
  void anUpdateCannotRename() {
    Cluster c = new Cluster().node("n1", localZfs()).share(share("a", "local-zfs"), "n1");
    refused(Status.Code.INVALID_ARGUMENT, "a share cannot be renamed ('a' to 'A')", () -> ShareDecisions.update(c.snap(), AT,
        List.of(), UpdateShareRequest.newBuilder().setSpec(share("A", "local-zfs")).build()));
  }

  @Test
  void aDeleteKeepsTheDataAndRecordsTheRemovalForTheNextGeneration() {
    Cluster c = new Cluster().node("n1", localZfs()).share(share("a", "local-zfs"), "n1");
    Change<DeleteShareResponse> change = ShareDecisions.delete(c.snap(), AT, List.of(),
        DeleteShareRequest.newBuilder().setName("A").build());
    assertEquals(List.of("delete /smbgw/v1/shares/a@3", "create /smbgw/v1/removed/share~a", "delete /smbgw/v1/placements/a@3"),
        writes(change));
    assertEquals(GENERATION + 1, Cluster.<Removal>written(change, "/smbgw/v1/removed/share~a").getGeneration());
    assertEquals("n1", change.reply().getNode());
  }

  @Test
  void aPurgeNamesTheNodeTheDataIsOnAndTheGenerationThatCarriesIt() {
    Cluster c = new Cluster().node("n1", localZfs()).share(share("a", "local-zfs"), "n1");
    Change<DeleteShareResponse> change = ShareDecisions.delete(c.snap(), AT, List.of(),
        DeleteShareRequest.newBuilder().setName("a").setPurge(true).build());
    PendingPurge p = written(change, "/smbgw/v1/purges/a");
    assertEquals("n1", p.getNode());
    assertEquals(GENERATION + 1, p.getGeneration());
  }

  @Test
  void theLastShareOfAnImplicitAddressTakesItAlong() {
    AddressRecord a = AddressRecord.newBuilder().setAddress("192.0.2.10/24").setNode("n1").setImplicit(true).build();
    Cluster c = new Cluster().node("n1", cephfs()).address(a, 0)
        .share(share("a", "cephfs").toBuilder().setAddress("192.0.2.10/24").build(), "n1");
    Change<DeleteShareResponse> change = ShareDecisions.delete(c.snap(), AT, List.of(RANGE),
        DeleteShareRequest.newBuilder().setName("a").build());
    assertTrue(writes(change).contains("delete /smbgw/v1/addresses/192.0.2.10@3"), writes(change).toString());
  }

  @Test
  void movingAShareToWhereItIsWritesNothing() {
    Cluster c = new Cluster().node("n1", cephfs()).share(share("a", "cephfs"), "n1");
    assertTrue(ShareDecisions.move(c.snap(), AT, MoveShareRequest.newBuilder().setName("a").setNode("n1").build())
        .writesNothing());
  }

  @Test
  void aShareOnSharedStorageMovesAndCountsAsPlanned() {
    Cluster c = new Cluster().node("n1", cephfs()).node("n2", cephfs()).share(share("a", "cephfs"), "n1");
    Change<Share> change = ShareDecisions.move(c.snap(), AT, MoveShareRequest.newBuilder().setName("a").setNode("n2").build());
    assertEquals(List.of("update /smbgw/v1/placements/a@3"), writes(change));
    assertEquals("planned", change.cause());
    assertEquals(1, change.moved());
  }

  @Test
  void aShareOnNodeLocalZfsDoesNotMoveWithoutItsData() {
    Cluster c = new Cluster().node("n1", localZfs()).node("n2", localZfs()).share(share("a", "local-zfs"), "n1");
    refused(Status.Code.FAILED_PRECONDITION, "node-local storage of n1",
        () -> ShareDecisions.move(c.snap(), AT, MoveShareRequest.newBuilder().setName("a").setNode("n2").build()));
  }

  @Test
  void aShareWithAnAddressMovesByReleasingTheAddress() {
    AddressRecord a = AddressRecord.newBuilder().setAddress("192.0.2.10/24").setNode("n1").build();
    Cluster c = new Cluster().node("n1", cephfs()).node("n2", cephfs()).address(a, 0)
        .share(share("a", "cephfs").toBuilder().setAddress("192.0.2.10/24").build(), "n1");
    Change<Share> change = ShareDecisions.move(c.snap(), AT, MoveShareRequest.newBuilder().setName("a").setNode("n2").build());
    AddressRecord next = written(change, "/smbgw/v1/addresses/192.0.2.10");
    assertEquals("", next.getNode());
    assertEquals("n1", next.getReleasingFrom());
    assertEquals("n2", next.getMovingTo());
    assertEquals(List.of("update /smbgw/v1/addresses/192.0.2.10@3"), writes(change), "the placement follows the address");
  }
}
