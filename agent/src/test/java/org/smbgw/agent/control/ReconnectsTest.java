package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.net.Lease;
import org.smbgw.proto.v1.LeaseGrant;

/** The waits between the session's tries, with time as plain numbers (nanoseconds on a fake ticker). */
class ReconnectsTest {
  private static final long SECOND = 1_000_000_000L;

  private static LeaseGrant lease(long millis) {
    return LeaseGrant.newBuilder().setLeaseMillis((int) millis).build();
  }

  /** {@code n} failures in a row, each at the time the wait before it ran out. */
  private static List<Long> waits(Reconnects r, long start, int n) {
    List<Long> out = new ArrayList<>();
    long now = start;
    for (int i = 0; i < n; i++) {
      long w = r.failed(now);
      out.add(w);
      now += w * 1_000_000;
    }
    return out;
  }

  @Test
  void aFailoverSwitchesAtOnceTheRestOfTheRoundFollowsCloseAndOnlyWholeRoundsWaitLonger() {
    Reconnects r = new Reconnects(3);
    assertEquals(List.of(0L, 100L, 200L, 100L, 100L, 400L, 100L, 100L, 800L, 100L, 100L, 1000L, 100L, 100L, 1000L),
        waits(r, 0, 15));
  }

  @Test
  void underALeaseTheLongestWaitIsAQuarterOfIt() {
    Reconnects r = new Reconnects(3);
    r.granted(lease(2000));
    assertEquals(List.of(0L, 100L, 200L, 100L, 100L, 400L, 100L, 100L, 500L, 100L, 100L, 500L), waits(r, 0, 12));
    Reconnects one = new Reconnects(1);
    one.granted(lease(2000));
    assertEquals(List.of(200L, 400L, 500L, 500L), waits(one, 0, 4), "one replica: no other to switch to at once");
  }

  @Test
  void aLeaseNoGrantCanCarryIsPassedOver() {
    Reconnects r = new Reconnects(2);
    r.granted(lease(2000));
    r.granted(lease(3));
    assertEquals(List.of(0L, 200L, 100L, 400L, 100L, 500L), waits(r, 0, 6), "the cap stays at a quarter of 2 s");
    assertFalse(Lease.usable(lease(999)));
    assertTrue(Lease.usable(lease(1000)));
  }

  @Test
  void aServedSessionStartsTheNextFailuresAfresh() {
    Reconnects r = new Reconnects(2);
    waits(r, 0, 9);
    r.served();
    assertEquals(List.of(0L, 200L), waits(r, 10 * SECOND, 2));
  }

  /** A replica that serves and then breaks every stream: switching at once would loop with no wait at all. */
  @Test
  void aReplicaThatServesAndBreaksAgainIsNotLeftAtOnceMoreThanOnceASecond() {
    Reconnects r = new Reconnects(3);
    assertEquals(0, r.failed(0));
    r.served();
    assertEquals(Reconnects.NEXT_REPLICA_MILLIS, r.failed(SECOND / 2), "half a second after the last switch at once");
    r.served();
    // 1.25 s: a second after the switch at once, but not after the held-back failure at 0.5 s
    assertEquals(0, r.failed(SECOND + SECOND / 4), "a second after it");
  }

  /** A short ZooKeeper election makes every replica answer with errors for a moment; the lease runs meanwhile. */
  @Test
  void aReplicaAnsweringWithErrorsIsRetriedWithinATenthOfASecondWhateverTheRound() {
    Reconnects r = new Reconnects(3);
    r.granted(lease(2000));
    List<Long> waits = new ArrayList<>();
    long now = 0;
    for (int i = 0; i < 12; i++) {
      long w = r.refused(now);
      waits.add(w);
      now += w * 1_000_000;
    }
    assertEquals(List.of(0L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L, 100L), waits);
  }

  @Test
  void noFailureAndNoReplicaAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> Reconnects.waitMillis(0, 3, 2000));
    assertThrows(IllegalArgumentException.class, () -> Reconnects.waitMillis(1, 0, 2000));
    assertThrows(IllegalArgumentException.class, () -> new Reconnects(0));
  }

  /**
   * The failure the cap guards against: however long no replica could serve, and however failures
   * and service alternate, the agent is never further than min(1 s, L/4) from its next try, so once
   * the quorum is back it reaches a replica within the L plus margin a new leader gives the leases
   * it inherits; and it switches at once only right after being served.
   */
  @Property(tries = 300)
  void noWaitIsEverLongerThanAQuarterLeaseAndNoneIsZeroUnlessJustServed(
      @ForAll @IntRange(min = 1, max = 7) int replicas,
      @ForAll @LongRange(min = 1000, max = 120_000) long leaseMillis,
      @ForAll @IntRange(min = 1, max = 5_000) int failures,
      @ForAll @IntRange(min = 0, max = 50) int servedEvery) {
    Reconnects r = new Reconnects(replicas);
    r.granted(lease(leaseMillis));
    long cap = Math.min(Reconnects.MAX_MILLIS, leaseMillis / 4);
    long now = 0;
    boolean justServed = true;
    for (int i = 1; i <= failures; i++) {
      long w = r.failed(now);
      assertTrue(w <= cap, "waited " + w + " ms under a lease of " + leaseMillis + " ms");
      assertTrue(w > 0 || (justServed && replicas > 1), "switched at once " + i + " failures in");
      now += Math.max(w, 1) * 1_000_000;
      justServed = servedEvery > 0 && i % servedEvery == 0;
      if (justServed) {
        r.served();
      }
    }
  }
}
