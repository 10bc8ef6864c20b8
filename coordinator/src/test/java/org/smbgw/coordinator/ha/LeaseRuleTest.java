package org.smbgw.coordinator.ha;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * DESIGN 4's expiry rule as a table: L 2000 ms, margin 150 ms, times in ms on the replica's
 * listening clock (time connected to ZooKeeper; {@code ListeningClockTest} shows how outages stop it).
 */
class LeaseRuleTest {
  private final LeaseSettings settings = new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(150));

  @ParameterizedTest(name = "lease heard at {0}, record heard at {1}, now {2}: expired {3}")
  @CsvSource({
      "0, 0, 2149, false", // L + margin - 1 ms: nothing moves
      "0, 0, 2150, false", // exactly L + margin: not yet
      "0, 0, 2151, true", // L + margin + 1 ms: moves
      "0, 1000, 2151, false", // an address given at 1000 counts from its grant
      "0, 1000, 3151, true",
      // Inherited by a new leader that saw the version as a follower at 500 and took over at
      // 2000: counted from 500, not restarted at the takeover.
      "500, 0, 2649, false", // its L + margin - 1 ms
      "500, 0, 2650, false",
      "500, 0, 2651, true",
  })
  void expiry(long leaseHeard, long recordHeard, long now, boolean expired) {
    assertEquals(expired, settings.expired(ms(leaseHeard), ms(recordHeard), ms(now)));
  }

  @ParameterizedTest(name = "lease seen at {0}, now {1}: fit to take addresses {2}")
  @CsvSource({"0, 999, true", "0, 1000, false"})
  void freshness(long leaseSeen, long now, boolean fresh) {
    assertEquals(fresh, settings.fresh(ms(leaseSeen), ms(now)));
  }

  private static long ms(long ms) {
    return Duration.ofMillis(ms).toNanos();
  }
}
