package org.smbgw.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.smbgw.coordinator.ha.LeaseSettings;

/** The clock lease expiry runs on, driven through outages on a fake ticker. */
class ListeningClockTest {
  private final AtomicLong ticker = new AtomicLong(1_000_000_000L);
  private final ListeningClock clock = new ListeningClock(ticker::get);
  private final LeaseSettings lease = new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(150));

  private void pass(long ms) {
    ticker.addAndGet(Duration.ofMillis(ms).toNanos());
  }

  private long ms() {
    return clock.now() / 1_000_000;
  }

  @Test
  void timeCutOffFromZooKeeperNeverCountsTowardExpiry() {
    assertEquals(0, ms());
    pass(500);
    assertEquals(0, ms(), "not connected yet");
    clock.connected();
    pass(700);
    assertEquals(700, ms());
    clock.disconnected(0);
    clock.disconnected(0); // SUSPENDED, then LOST: one outage, counted once
    pass(10_000);
    assertEquals(700, ms());
    clock.connected();
    clock.connected(); // RECONNECTED twice
    pass(300);
    assertEquals(1000, ms());
  }

  /**
   * The flap the old rule ("from the end of the last outage of at least L") missed: a quorum lost
   * for 6 s, back for a moment, lost again for 200 ms. The last outage was short, so the old rule
   * counted from before the long one and failed the address over the moment the quorum was back.
   */
  @Test
  void aLongOutageFollowedByAShortOneStillMovesNothingUntilLPlusMarginHasBeenHeard() {
    clock.connected();
    long renewalHeard = clock.now(); // the last renewal before the quorum went
    pass(100);
    clock.disconnected(0);
    pass(6000);
    clock.connected();
    pass(20);
    clock.disconnected(0);
    pass(200);
    clock.connected();
    pass(2000);
    assertFalse(lease.expired(renewalHeard, renewalHeard, clock.now()), "heard for 2120 ms of the 8320 since");
    pass(30);
    assertFalse(lease.expired(renewalHeard, renewalHeard, clock.now()), "exactly L + margin heard");
    pass(1);
    assertTrue(lease.expired(renewalHeard, renewalHeard, clock.now()), "L + margin + 1 ms heard: the agent is gone");
  }

  @Test
  void aShortBlipDelaysAFailoverByItsLengthOnly() {
    clock.connected();
    long renewalHeard = clock.now();
    pass(1000);
    clock.disconnected(0);
    pass(300);
    clock.connected();
    pass(1150);
    assertFalse(lease.expired(renewalHeard, renewalHeard, clock.now()));
    pass(1);
    assertTrue(lease.expired(renewalHeard, renewalHeard, clock.now()), "2451 ms after the renewal, 300 of them deaf");
  }

  /**
   * A server host that powers off says nothing: the client notices after its read timeout. The
   * renewal heard just before the cut must not lose that unnoticed time off its L + margin.
   */
  @Test
  void aSilentlyDeadConnectionDoesNotCountTheTimeBeforeItWasNoticed() {
    clock.connected();
    pass(1000);
    long renewalHeard = clock.now();
    pass(1333); // the connection died just after the renewal; noticed 1333 ms later
    clock.disconnected(Duration.ofMillis(1333).toNanos());
    assertEquals(1000, ms(), "the unnoticed 1333 ms taken back");
    pass(5000);
    clock.connected();
    pass(2150);
    assertFalse(lease.expired(renewalHeard, renewalHeard, clock.now()), "L + margin heard since the renewal, no more");
    pass(1);
    assertTrue(lease.expired(renewalHeard, renewalHeard, clock.now()));
  }

  @Test
  void moreUnnoticedTimeThanTheConnectionLastedTakesNothingFromEarlierConnections() {
    clock.connected();
    pass(3000);
    clock.disconnected(0);
    clock.connected();
    pass(200);
    clock.disconnected(Duration.ofMillis(1333).toNanos());
    assertEquals(3000, ms());
  }
}
