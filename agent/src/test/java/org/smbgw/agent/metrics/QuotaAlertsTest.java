package org.smbgw.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.proto.v1.QuotaLevel;

class QuotaAlertsTest {
  private static QuotaAlerts.Standing at(QuotaAlerts a, int percent) {
    return a.evaluate("s", percent, 100, 85, 95);
  }

  @Test
  void oneAlertPerCrossingWithHysteresisAndSurvivingARestart(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("alerts.json");
    QuotaAlerts a = new QuotaAlerts(file);
    assertEquals(new QuotaAlerts.Standing(QuotaLevel.QUOTA_LEVEL_OK, 0), at(a, 50));
    assertEquals(new QuotaAlerts.Standing(QuotaLevel.QUOTA_LEVEL_WARNING, 1), at(a, 85));
    for (int p : new int[] {84, 86, 81, 88, 80}) {
      assertEquals(1, at(a, p).alerts(), "hovering near the threshold raises no new alert (" + p + "%)");
    }
    assertEquals(QuotaLevel.QUOTA_LEVEL_OK, at(a, 79).level(), "falls back only 5 points below");
    assertEquals(new QuotaAlerts.Standing(QuotaLevel.QUOTA_LEVEL_WARNING, 2), at(a, 90));
    assertEquals(new QuotaAlerts.Standing(QuotaLevel.QUOTA_LEVEL_CRITICAL, 3), at(a, 96));
    assertEquals(QuotaLevel.QUOTA_LEVEL_CRITICAL, at(a, 91).level(), "hysteresis below critical too");
    assertEquals(QuotaLevel.QUOTA_LEVEL_WARNING, at(a, 89).level());

    QuotaAlerts restarted = new QuotaAlerts(file);
    assertEquals(new QuotaAlerts.Standing(QuotaLevel.QUOTA_LEVEL_WARNING, 3), at(restarted, 88),
        "a restarted agent remembers what it already alerted");
  }
}
