package org.smbgw.coordinator.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSample;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;

class ShareHistoryTest {
  /** A clock the test moves. */
  private static final class TestClock extends Clock {
    Instant now = Instant.parse("2026-11-22T00:00:00Z");

    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    public Clock withZone(java.time.ZoneId z) {
      return this;
    }

    public Instant instant() {
      return now;
    }
  }

  private static NodeObservedState report(int sessions, long used) {
    return NodeObservedState.newBuilder().addShares(ShareStatus.newBuilder().setName("a")
        .setState(ShareState.SHARE_STATE_ACTIVE).setSessions(sessions).setUsedBytes(used)
        .setStorageWrittenBytes(used * 1000)).build();
  }

  @Test
  void oneSampleAnIntervalKeptForTheWindow() {
    TestClock clock = new TestClock();
    ShareHistory h = new ShareHistory(clock, Duration.ofMinutes(1), Duration.ofHours(24));
    for (int minute = 0; minute < 25 * 60; minute++) {
      h.record(report(minute % 7, minute));
      clock.now = clock.now.plusSeconds(20);
      h.record(report(99, 99)); // within the same minute: not sampled
      clock.now = clock.now.plusSeconds(40);
    }
    List<ShareSample> all = h.samples("a", null);
    assertEquals(24 * 60 + 1, all.size(), "24 hours of one-minute samples, bounded");
    assertEquals(25 * 60 - 1, all.get(all.size() - 1).getUsedBytes(), "the newest sample is the last minute's");
    assertEquals(60, h.samples("a", Duration.ofHours(1)).size());
    assertEquals((25 * 60 - 1) * 1000L, all.get(all.size() - 1).getStorageWrittenBytes(), "throughput comes from these");
    assertEquals(List.of(), h.samples("unknown", null));
  }
}
