package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
  void theReplicasOfARoundAreTriedCloseTogetherAndOnlyWholeRoundsWaitLonger() {
    Reconnects r = new Reconnects(3);
    assertEquals(List.of(100L, 100L, 200L, 100L, 100L, 400L, 100L, 100L, 800L, 100L, 100L, 1000L, 100L, 100L, 1000L),
        waits(r, 15));
  }

  @Test
  void underALeaseTheLongestWaitIsAQuarterOfIt() {
    Reconnects r = new Reconnects(3);
    r.lease(2000);
    assertEquals(List.of(100L, 100L, 200L, 100L, 100L, 400L, 100L, 100L, 500L, 100L, 100L, 500L), waits(r, 12));
    Reconnects one = new Reconnects(1);
    one.lease(2000);
    assertEquals(List.of(200L, 400L, 500L, 500L), waits(one, 4));
  }

  @Test
  void aServedSessionStartsTheNextFailuresAfresh() {
    Reconnects r = new Reconnects(2);
    waits(r, 9);
    r.served();
    assertEquals(List.of(100L, 200L), waits(r, 2));
  }

  /**
   * The case the cap is for: however long no replica could serve (every try failing at once),
   * once they can again, every replica has been tried within L/4 plus a round's short waits.
   * This is what lets the agent reach a new leader before the leases it inherited run out (L plus
   * margin from its takeover).
   */
  @Property(tries = 300)
  void afterAnOutageOfAnyLengthEveryReplicaIsTriedWithinAQuarterLeaseAndARound(
      @ForAll @IntRange(min = 1, max = 7) int replicas,
      @ForAll @LongRange(min = 1000, max = 120_000) long leaseMillis,
      @ForAll @LongRange(min = 0, max = 600_000) long outageMillis) {
    Reconnects r = new Reconnects(replicas);
    r.lease(leaseMillis);
    long now = 0;
    while (now < outageMillis) {
      now += r.failed(); // this try failed; the next comes after the wait
    }
    // Tries from here on would be served; the first try after the outage is at `now`, and the
    // round it starts tries the others NEXT_REPLICA_MILLIS apart (if those fail as the outage ends).
    long tryAllBy = now + (replicas - 1) * Reconnects.NEXT_REPLICA_MILLIS;
    long bound = outageMillis + Math.min(Reconnects.MAX_MILLIS, leaseMillis / 4)
        + (replicas - 1) * Reconnects.NEXT_REPLICA_MILLIS;
    assertTrue(tryAllBy <= bound, "every replica tried " + (tryAllBy - outageMillis) + " ms after the outage");
  }
}
