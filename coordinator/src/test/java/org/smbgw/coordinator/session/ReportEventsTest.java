package org.smbgw.coordinator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.QuotaLevel;
import org.smbgw.proto.v1.ShareStatus;

/** What an agent's report makes known, against its previous report: tables, no ZooKeeper. */
class ReportEventsTest {
  private static NodeObservedState shares(ShareStatus... s) {
    return NodeObservedState.newBuilder().setCluster("c1").addAllShares(List.of(s)).build();
  }

  @Test
  void aQuotaAlertIsToldOncePerRiseAsTheAgentCountsThem() {
    ShareStatus critical = ShareStatus.newBuilder().setName("a").setQuotaAlerts(2).setQuotaLevel(QuotaLevel.QUOTA_LEVEL_CRITICAL)
        .setUsedBytes(96).setQuotaBytes(100).build();
    List<ReportEvents.Alert> alerts = ReportEvents.quotaAlerts("n1", shares(critical), Map.of("a", 1), 5, 7);
    assertEquals(1, alerts.size());
    assertEquals(2, alerts.get(0).count());
    Event e = alerts.get(0).event();
    assertEquals("quota.critical", e.getKind());
    assertEquals("96% of its quota used on n1 (96 of 100 bytes)", e.getMessage());
    assertEquals(5, e.getTimeMillis());
    assertTrue(ReportEvents.quotaAlerts("n1", shares(critical), Map.of("a", 2), 5, 7).isEmpty(), "handled already");
  }

  @Test
  void aNewLossOrAnotherClusterIsToldOnceWithTheCommandThatLetsItGo() {
    NodeObservedState before = NodeObservedState.newBuilder().setCluster("c1").addLosses("share/a").build();
    NodeObservedState more = before.toBuilder().addLosses("share/b").build();
    assertTrue(ReportEvents.losses("n1", "c1", before, before, 0, 1).isEmpty(), "nothing new");
    assertEquals("keeps serving share/a, share/b: missing from its desired state without an intent to remove them; "
        + "smbgw node confirm-removal n1 lets them go", ReportEvents.losses("n1", "c1", before, more, 0, 1).orElseThrow()
        .getMessage());
    NodeObservedState foreign = NodeObservedState.newBuilder().setCluster("c2").build();
    assertTrue(ReportEvents.losses("n1", "c1", NodeObservedState.getDefaultInstance(), foreign, 0, 1).orElseThrow()
        .getMessage().startsWith("belongs to cluster c2, not this one (c1)"));
  }

  @Test
  void aRemountIsToldOncePerNewText() {
    ShareStatus remounted = ShareStatus.newBuilder().setName("a").setRemounted("at 10:00: transport endpoint dead").build();
    assertEquals(List.of("on n1 at 10:00: transport endpoint dead"),
        ReportEvents.remounts("n1", shares(), shares(remounted), 0, 1).stream().map(Event::getMessage).toList());
    assertTrue(ReportEvents.remounts("n1", shares(remounted), shares(remounted), 0, 1).isEmpty());
  }
}
