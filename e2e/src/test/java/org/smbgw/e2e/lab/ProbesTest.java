package org.smbgw.e2e.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How the lab reads its probes: an outage that ended, and one still going on. */
class ProbesTest {
  private static final long S = 1_000_000_000L;
  private static final Duration NORMAL = Duration.ofMillis(900);

  private static Probes.Attempt ok(double endSeconds) {
    long end = (long) (endSeconds * S);
    return new Probes.Attempt(end - S / 10, end, true, null);
  }

  @Test
  void anOutageThatEndedIsMeasuredFromTheFaultToTheFirstSuccessAfterIt() {
    List<Probes.Attempt> a = List.of(ok(10.2), ok(10.5), ok(13.0), ok(13.3));
    assertEquals(3.0, Probes.recovery(a, 10 * S, NORMAL), 1e-9);
    assertFalse(Probes.outNow(a, NORMAL, (long) (13.5 * S)));
  }

  @Test
  void requestsThatEndedJustAfterTheFaultDoNotHideAnOutageStillGoingOn() {
    // A kill_node in CI: requests in flight finished right after the fault, the next ones hang.
    List<Probes.Attempt> a = List.of(ok(9.8), ok(10.1), ok(10.3));
    assertEquals(0.0, Probes.recovery(a, 10 * S, NORMAL), "no gap among the successes seen so far");
    assertTrue(Probes.outNow(a, NORMAL, 14 * S), "but nothing has succeeded for 3.7 s");
    assertTrue(Probes.outNow(List.of(), NORMAL, 14 * S), "nor ever");
  }
}
