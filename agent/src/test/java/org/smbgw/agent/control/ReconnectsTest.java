package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The waits between the session's tries, with time as plain numbers. */
class ReconnectsTest {
  private static List<Long> waits(Reconnects r, int n) {
    List<Long> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(r.failed());
    }
    return out;
  }

  @Test
  void aFailoverSwitchesAtOnceTheRestOfTheRoundFollowsCloseAndOnlyWholeRoundsWaitLonger() {
    Reconnects r = new Reconnects(3);
    assertEquals(List.of(0L, 100L, 200L, 100L, 100L, 400L, 100L, 100L, 800L, 100L, 100L, 1000L, 100L, 100L, 1000L),
        waits(r, 15));
  }

  @Test
  void underALeaseTheLongestWaitIsAQuarterOfIt() {
    Reconnects r = new Reconnects(3);
    r.lease(2000);
    assertEquals(List.of(0L, 100L, 200L, 100L, 100L, 400L, 100L, 100L, 500L, 100L, 100L, 500L), waits(r, 12));
    Reconnects one = new Reconnects(1);
    one.lease(2000);
    assertEquals(List.of(200L, 400L, 500L, 500L), waits(one, 4), "one replica: no other to switch to at once");
  }

  @Test
  void aLeaseNoGrantCanCarryDoesNotTakeTheWaitsAway() {
    Reconnects r = new Reconnects(2);
    r.lease(3); // a lease under the shortest one the agent accepts: passed over
    assertEquals(List.of(0L, 200L, 100L, 400L), waits(r, 4));
  }

  @Test
  void aServedSessionStartsTheNextFailuresAfresh() {
    Reconnects r = new Reconnects(2);
    waits(r, 9);
    r.served();
    assertEquals(List.of(0L, 200L), waits(r, 2));
  }

  @Test
  void noFailureHasNoWait() {
    assertThrows(IllegalArgumentException.class, () -> Reconnects.waitMillis(0, 3, 2000));
    assertThrows(IllegalArgumentException.class, () -> new Reconnects(0));
  }

  /**
   * The failure the cap guards against: however long no replica could serve (every try failing),
   * the agent is never further than min(1 s, L/4) from its next try, so once the quorum is back it
   * reaches a replica well within the L plus margin a new leader gives the leases it inherits.
   */
  @Property(tries = 300)
  void aLongOutageNeverLeavesTheAgentWaitingPastAQuarterLease(
      @ForAll @IntRange(min = 1, max = 7) int replicas,
      @ForAll @LongRange(min = 1000, max = 120_000) long leaseMillis,
      @ForAll @IntRange(min = 1, max = 100_000) int failures) {
    Reconnects r = new Reconnects(replicas);
    r.lease(leaseMillis);
    long cap = Math.min(Reconnects.MAX_MILLIS, leaseMillis / 4);
    long longest = 0;
    for (int i = 0; i < failures; i++) {
      longest = Math.max(longest, r.failed());
    }
    assertTrue(longest <= cap, "waited " + longest + " ms under a lease of " + leaseMillis + " ms");
  }
}
