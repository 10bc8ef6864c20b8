package org.smbgw.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.net.AddressPlan.Holding;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.NetworkInterface;

/**
 * The lease's rules as values, with time as plain numbers (DESIGN section 4): a kernel lifetime
 * never outlives the lease counted from the renewal's send time; with less than a second left
 * nothing is extended; at expiry everything goes; a late answer to an old renewal extends nothing.
 */
class LeaseRulesTest {
  private static final long MS = 1_000_000L;
  private static final long L = 2000 * MS;
  private static final String A = "10.0.0.50";
  private static final List<NetworkInterface> IFS =
      List.of(NetworkInterface.newBuilder().setName("vmbr0").addAddresses("10.0.0.11/24").build());

  private static LeaseGrant grant(long seq, String... addresses) {
    LeaseGrant.Builder g = LeaseGrant.newBuilder().setSeq(seq).setLeaseMillis(2000);
    for (String a : addresses) {
      g.addAddresses(AddressAssignment.newBuilder().setAddress(a + "/24"));
    }
    return g.build();
  }

  /** A lease renewed by a renewal sent at {@code sent} and answered. */
  private static Lease answeredAt(long sent) {
    Lease l = Lease.none(L, sent - 10 * L).sent(sent);
    Lease.Answer a = l.answer(grant(l.outstandingSeq(), A));
    assertTrue(a.counted());
    return a.lease();
  }

  private static AddressPlan plan(Lease lease, long now, Map<String, Holding> held) {
    return AddressPlan.of(new AddressPlan.Inputs(lease, now, 0, Map.of(A, List.of("docs")), Set.of("docs"), held,
        IFS, Map.of()));
  }

  private static Map<String, Holding> holding() {
    return Map.of(A, new Holding(A, A + "/24", "vmbr0", 0, 0, AddressAssignment.newBuilder().setAddress(A + "/24").build()));
  }

  @Property
  void aKernelLifetimeNeverOutlivesTheLeaseCountedFromTheSendTime(
      @ForAll @LongRange(min = -4_000_000_000L, max = 4_000_000_000L) long sent,
      @ForAll @LongRange(min = 0, max = 3_000) long millisLater, @ForAll boolean alreadyHeld) {
    Lease lease = answeredAt(sent);
    long now = sent + millisLater * MS;
    AddressPlan p = plan(lease, now, alreadyHeld ? holding() : Map.of());
    if (!p.add().isEmpty() || !p.refresh().isEmpty()) {
      assertTrue(now + p.lifetimeSeconds() * 1_000_000_000L <= sent + L,
          "lifetime " + p.lifetimeSeconds() + " s at " + millisLater + " ms after the send outlives the lease");
      assertTrue(p.lifetimeSeconds() >= 1);
    } else {
      assertTrue(now + 1_000_000_000L > sent + L, "with a whole second left the address is held");
    }
  }

  @Test
  void withLessThanASecondLeftNothingIsExtendedNorDroppedBeforeExpiry() {
    Lease lease = answeredAt(0);
    AddressPlan early = plan(lease, 999 * MS, holding());
    assertEquals(1, early.lifetimeSeconds());
    assertEquals(1, early.refresh().size());
    AddressPlan late = plan(lease, 1001 * MS, holding());
    assertEquals(List.of(), late.refresh(), "less than a second left: not extended");
    assertEquals(List.of(), late.drop(), "but not dropped before the lease runs out either");
    assertEquals(List.of(), plan(lease, 1001 * MS, Map.of()).add(), "and nothing new comes up");
  }

  @Test
  void theLeaseRunsOutAtTheSendTimePlusL() {
    Lease waiting = Lease.none(L, -10 * L).sent(0);
    // The answer arrives 700 ms after the renewal left: the lease still ends at 0 + L.
    Lease lease = waiting.answer(grant(waiting.outstandingSeq(), A)).lease();
    assertEquals(L, lease.validUntilNanos());
    assertFalse(lease.tick(L - 1, 0).expired());
    assertTrue(lease.tick(L, 0).expired());
    assertEquals(1, lease.wholeSecondsLeft(700 * MS), "1.3 s left: one whole second");
    assertEquals(0, lease.wholeSecondsLeft(1100 * MS), "0.9 s left: none");
  }

  @Test
  void aLateAnswerToAnOldRenewalExtendsNothing() {
    Lease first = answeredAt(0);
    Lease waiting = first.sent(500 * MS); // renewal 2, never answered in time
    Lease.Tick t = waiting.tick(500 * MS + L / 8 + 1, 0);
    assertTrue(t.stalled(), "given up after L/8");
    Lease next = t.lease().sent(800 * MS); // renewal 3, on another replica
    Lease.Answer late = next.answer(grant(waiting.outstandingSeq(), A));
    assertFalse(late.counted(), "the answer to renewal 2 arrived while renewal 3 is outstanding");
    assertEquals(first.validUntilNanos(), late.lease().validUntilNanos());
    Lease.Answer afterGivingUp = t.lease().answer(grant(waiting.outstandingSeq(), A));
    assertFalse(afterGivingUp.counted(), "an answer to a renewal given up on counts for nothing, even with none outstanding");
    Lease.Answer current = next.answer(grant(next.outstandingSeq(), A));
    assertTrue(current.counted());
    assertEquals(800 * MS + L, current.lease().validUntilNanos());
  }

  @Test
  void renewalsGoOutEveryQuarterOfTheLeaseOneAtATime() {
    Lease l = answeredAt(0);
    assertFalse(l.renewDue(L / 4 - 1));
    assertTrue(l.renewDue(L / 4));
    Lease out = l.sent(L / 4);
    assertFalse(out.renewDue(L), "one renewal outstanding at a time");
    assertTrue(l.askRenewal().renewDue(1), "asked for: due at once when none is outstanding");
  }

  @Test
  void aStreamsFirstRenewalGetsAQuarterOfTheLeaseTheRestAnEighth() {
    long opened = 10_000 * MS;
    Lease first = answeredAt(0).sent(opened + 5 * MS);
    assertFalse(first.tick(opened + 5 * MS + L / 8 + 1, opened).stalled(), "a new stream's first renewal waits for the hello");
    assertTrue(first.tick(opened + 5 * MS + L / 4 + 1, opened).stalled());
    Lease later = answeredAt(0).sent(opened + 600 * MS);
    assertTrue(later.tick(opened + 600 * MS + L / 8 + 1, opened).stalled());
  }

  /**
   * The replica holding the stream dies just after a renewal left: the session reopens on another
   * replica 200 ms later. The lost renewal must not wait out the new stream's patience (that cost
   * the lab its address once: the kernel lifetime is only the whole seconds left), nor make the
   * session leave the new replica.
   */
  @Test
  void aRenewalLostWithItsStreamIsSentAgainAtOnceOnTheNextOne() {
    long sent = 500 * MS;
    Lease lost = answeredAt(0).sent(sent);
    long reopened = sent + 240 * MS;
    Lease.Tick t = lost.tick(reopened + MS, reopened);
    assertFalse(t.stalled(), "the new replica is not blamed for a renewal sent to the old one");
    assertTrue(t.lease().renewDue(reopened + MS), "renewed at once on the new stream");
    assertEquals(lost.validUntilNanos(), t.lease().validUntilNanos(), "giving up extends nothing");
    Lease again = t.lease().sent(reopened + MS);
    assertFalse(again.tick(reopened + MS + L / 8 + 1, reopened).stalled(), "the new stream's first waits L/4");
  }

  @Test
  void theKernelLifetimeIsStretchedOnlyJustBeforeTheWholeSecondsLeftDropAndOnlyOnce() {
    Lease l = answeredAt(0); // valid until L = 2 s; the answer set the kernel's deadline to 0.1 + 1 s
    long kernel = 1100 * MS;
    assertFalse(l.stretchDue(L - 1260 * MS, kernel), "too early: the next whole second is still 260 ms away");
    assertTrue(l.stretchDue(L - 1200 * MS, kernel), "200 ms before: 1 s now ends 200 ms before the lease");
    assertFalse(l.stretchDue(L - 1140 * MS, kernel), "too late: the kernel may remove it up to 250 ms late");
    assertFalse(l.stretchDue(L - 1180 * MS, L - 1200 * MS + 1000 * MS), "already stretched in this window");
    assertFalse(l.stretchDue(L - 900 * MS, kernel), "less than a second left: nothing is extended");
  }

  @Test
  void aGrantWithALeaseShorterThanASecondCountsForNothing() {
    Lease l = answeredAt(0).sent(500 * MS);
    Lease.Answer a = l.answer(LeaseGrant.newBuilder().setSeq(l.outstandingSeq()).setLeaseMillis(0).build());
    assertFalse(a.counted());
    assertTrue(a.stalled(), "a replica that grants no time is asked no more");
    assertEquals(L, a.lease().validUntilNanos());
  }

  @Test
  void aReplicaThatCannotRecordLeasesIsLeftAndExtendsNothing() {
    Lease l = answeredAt(0).sent(500 * MS);
    Lease.Answer a = l.answer(LeaseGrant.newBuilder().setSeq(l.outstandingSeq()).setError("no quorum").build());
    assertTrue(a.stalled());
    assertFalse(a.counted());
    assertEquals(L, a.lease().validUntilNanos());
    assertTrue(a.lease().renewDue(501 * MS));
  }

  @Test
  void anAddressComesUpOnlyWhenGrantedWantedHereAndItsSharesServe() {
    Lease lease = answeredAt(0);
    AddressPlan.Inputs base = new AddressPlan.Inputs(lease, 100 * MS, 7, Map.of(A, List.of("docs")), Set.of("docs"),
        Map.of(), IFS, Map.of(A, 5L));
    AddressPlan up = AddressPlan.of(base);
    assertEquals(1, up.add().size());
    assertEquals("vmbr0", up.add().get(0).device());
    assertEquals(5L, up.add().get(0).servingAtMillis());
    assertEquals(List.of(), AddressPlan.of(new AddressPlan.Inputs(lease, 100 * MS, 7, Map.of(A, List.of("docs")),
        Set.of(), Map.of(), IFS, Map.of())).add(), "its share is not published yet");
    assertEquals(List.of(), AddressPlan.of(new AddressPlan.Inputs(lease, 100 * MS, 7, Map.of(), Set.of("docs"),
        Map.of(), IFS, Map.of())).add(), "granted but no longer wanted here");
    AddressPlan nowhere = AddressPlan.of(new AddressPlan.Inputs(lease, 100 * MS, 7, Map.of(A, List.of("docs")),
        Set.of("docs"), Map.of(), List.of(), Map.of()));
    assertEquals(1, nowhere.noInterface().size(), "no interface in its subnet: reported, not guessed");
    Lease revoked = lease.sent(500 * MS).answer(grant(2)).lease();
    assertEquals(1, plan(revoked, 600 * MS, holding()).drop().size(), "a grant without the address takes it away");
  }
}
