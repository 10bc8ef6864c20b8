package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smbgw.coordinator.decide.Cluster.AT;
import static org.smbgw.coordinator.decide.Cluster.GENERATION;
import static org.smbgw.coordinator.decide.Cluster.cephfs;
import static org.smbgw.coordinator.decide.Cluster.localZfs;
import static org.smbgw.coordinator.decide.Cluster.refused;
import static org.smbgw.coordinator.decide.Cluster.share;
import static org.smbgw.coordinator.decide.Cluster.writes;

import io.grpc.Status;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.ApplyResponse;
import org.smbgw.proto.v1.ApplyResult;
import org.smbgw.proto.v1.NodeObservedState;

/** Apply (all or nothing) and the leader's clearing up, as tables. */
class ApplyAndHousekeepingTest {
  @Test
  void applyCreatesUpdatesAndPurgesInOneChangeAndSaysWhatItDidToEach() {
    Cluster c = new Cluster().node("n1", cephfs()).share(share("keep", "cephfs"), "n1")
        .share(share("old", "cephfs"), "n1");
    ApplyRequest req = ApplyRequest.newBuilder().addShares(share("keep", "cephfs")).addShares(share("new", "cephfs"))
        .addPurges("old").build();
    Change<ApplyResponse> change = ApplyDecision.apply(c.snap(), AT, List.of(), req);
    assertEquals(List.of("keep unchanged", "new created", "old deleted"), change.reply().getResultsList().stream()
        .map(r -> r.getName() + " " + r.getAction()).toList());
    assertEquals(List.of("create /smbgw/v1/shares/new", "create /smbgw/v1/placements/new", "delete /smbgw/v1/shares/old@3",
        "create /smbgw/v1/removed/share~old", "delete /smbgw/v1/placements/old@3", "create /smbgw/v1/purges/old"),
        writes(change));
  }

  @Test
  void twoNamesConfirmedGoneOnOneNodeAndMadeAgainInOneApplyEditTheNodeOnce() {
    Cluster c = new Cluster().node("n1", cephfs()).confirmed("n1", "share/a", "share/b", "share/keep");
    ApplyRequest req = ApplyRequest.newBuilder().addShares(share("a", "cephfs")).addShares(share("b", "cephfs")).build();
    Change<ApplyResponse> change = ApplyDecision.apply(c.snap(), AT, List.of(), req);
    assertEquals(1, writes(change).stream().filter(w -> w.startsWith("update /smbgw/v1/nodes/n1@")).count(), writes(change).toString());
    assertEquals(List.of("share/keep"), Cluster.<org.smbgw.proto.v1.NodeRecord>written(change, "/smbgw/v1/nodes/n1")
        .getConfirmedRemovalsList(), "both confirmations dropped, the other kept");
  }

  @Test
  void aDryRunDecidesTheSameAndWritesNothing() {
    Cluster c = new Cluster().node("n1", cephfs());
    ApplyRequest req = ApplyRequest.newBuilder().addShares(share("new", "cephfs")).setDryRun(true).build();
    Change<ApplyResponse> change = ApplyDecision.apply(c.snap(), AT, List.of(), req);
    assertTrue(change.writesNothing());
    assertEquals(List.of("created"), change.reply().getResultsList().stream().map(ApplyResult::getAction).toList());
  }

  @Test
  void oneShareThatFitsNowhereRefusesTheWholeApply() {
    Cluster c = new Cluster().node("n1", localZfs());
    ApplyRequest req = ApplyRequest.newBuilder().addShares(share("fits", "local-zfs")).addShares(share("not", "cephfs")).build();
    refused(Status.Code.FAILED_PRECONDITION, "Share/not fits nowhere", () -> ApplyDecision.apply(c.snap(), AT, List.of(), req));
  }

  @Test
  void aPurgeIsClearedOnlyByAPassThatCarriedItAndShowsItDone() {
    NodeObservedState before = NodeObservedState.newBuilder().setCluster("c1").setPassGeneration(GENERATION - 1)
        .addPurgedShares("a").build();
    NodeObservedState after = before.toBuilder().setPassGeneration(GENERATION).build();
    Cluster c = new Cluster().node("n1", localZfs()).purge("a", "n1", GENERATION);
    assertTrue(Housekeeping.decide(c.observed("n1", before).snap(), List.of()).writesNothing(),
        "a report from before the purge was carried proves nothing");
    assertEquals(List.of("delete /smbgw/v1/purges/a@-1"),
        writes(Housekeeping.decide(c.observed("n1", after).snap(), List.of())));
  }

  @Test
  void aRemovalRecordStaysUntilEveryNodePassedAStateCarryingIt() {
    NodeObservedState passed = NodeObservedState.newBuilder().setCluster("c1").setPassGeneration(GENERATION).build();
    Cluster c = new Cluster().node("n1", localZfs()).node("n2", localZfs()).removal("share/a", GENERATION)
        .observed("n1", passed);
    assertTrue(Housekeeping.decide(c.snap(), List.of()).writesNothing(), "n2 has not passed it yet");
    assertEquals(List.of("delete /smbgw/v1/removed/share~a@3"),
        writes(Housekeeping.decide(c.observed("n2", passed).snap(), List.of())));
  }
}
