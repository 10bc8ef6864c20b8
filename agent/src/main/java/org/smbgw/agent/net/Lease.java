package org.smbgw.agent.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.smbgw.common.Addresses;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.LeaseGrant;

/**
 * The node lease as an immutable value (DESIGN section 4): which renewal is outstanding, until when
 * the last answered one lets the node hold addresses, and what that answer granted. Every method
 * returns a new value; times are {@link System#nanoTime()}-style readings passed in by the caller,
 * so the rules are tested by moving numbers, not clocks.
 *
 * <p>The rules it keeps:
 * <ul>
 *   <li>The lease runs until the <em>send</em> time of the last answered renewal plus L, never
 *       from when the answer arrived.
 *   <li>Only the answer to the outstanding renewal counts; a late answer to one given up on
 *       extends nothing (its send time is no longer known to be the one that counts).
 *   <li>One renewal outstanding at a time; the next is due L/4 after the last was sent, or at once
 *       when something the coordinator should know changed.
 *   <li>An unanswered renewal is given up after L/8 (L/4 for a new stream's first, which waits for
 *       the connection and the hello), and the session is told to try another replica.
 *   <li>A renewal sent on a stream that has since been replaced is given up as soon as the new
 *       stream opens, and the next goes out on it at once (the new replica is not blamed).
 * </ul>
 *
 * @param leaseNanos L, as the coordinator last said (the configured default until then)
 * @param nextSeq the sequence number the next renewal carries
 * @param outstandingSeq the renewal waiting for its answer, or -1
 * @param outstandingSentNanos when that renewal was sent
 * @param lastSentNanos when the last renewal was sent
 * @param renewAsked a renewal is due at once, not only at L/4
 * @param validUntilNanos until when addresses may be held
 * @param granted the addresses the last answered renewal granted, keyed by host address
 */
public record Lease(long leaseNanos, long nextSeq, long outstandingSeq, long outstandingSentNanos,
    long lastSentNanos, boolean renewAsked, long validUntilNanos, Map<String, AddressAssignment> granted) {

  /** The shortest lease a grant may give (the coordinators refuse a shorter leaseMillis too). */
  static final long MIN_LEASE_MILLIS = 1000;

  /** A renewal sent within this long of its stream opening is the stream's first. */
  static final long FIRST_ON_STREAM_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

  public Lease {
    granted = Map.copyOf(granted);
  }

  /** No lease yet: nothing may be held, and a renewal is due at once. */
  public static Lease none(long leaseNanos, long now) {
    return new Lease(leaseNanos, 1, -1, now, now - leaseNanos, true, now, Map.of());
  }

  /**
   * What a tick found: the lease after it; {@code stalled}, the outstanding renewal was given up
   * (try another replica); {@code expired}, nothing may be held any more.
   */
  public record Tick(Lease lease, boolean stalled, boolean expired) {}

  /**
   * Looks at the lease at {@code now}.
   *
   * @param streamOpenedNanos when the session's current stream was opened
   */
  public Tick tick(long now, long streamOpenedNanos) {
    Lease next = this;
    boolean stalled = false;
    if (outstandingSeq >= 0 && outstandingSentNanos - streamOpenedNanos < 0) {
      // Sent on a stream since replaced (its replica died, or was given up on): no answer can come
      // on the new one. Renew there at once, without blaming the new replica for the silence.
      return new Tick(givenUp(), false, expired(now));
    }
    if (outstandingSeq >= 0) {
      long patience = outstandingSentNanos - streamOpenedNanos < FIRST_ON_STREAM_NANOS ? leaseNanos / 4 : leaseNanos / 8;
      if (now - outstandingSentNanos > patience) {
        next = next.givenUp();
        stalled = true;
      }
    }
    return new Tick(next, stalled, expired(now));
  }

  /** A renewal should leave now: none is outstanding, and one is asked for or L/4 has passed. */
  public boolean renewDue(long now) {
    return outstandingSeq < 0 && (renewAsked || now - lastSentNanos >= leaseNanos / 4);
  }

  /** The lease has run out at {@code now}: nothing may be held. */
  public boolean expired(long now) {
    return now - validUntilNanos >= 0;
  }

  /** The renewal numbered {@link #nextSeq()} left at {@code now}. */
  public Lease sent(long now) {
    return new Lease(leaseNanos, nextSeq + 1, nextSeq, now, now, false, validUntilNanos, granted);
  }

  /**
   * What an answer did to the lease. {@code stalled}: the replica cannot record leases.
   *
   * @param refused why a grant was not taken although it answered the outstanding renewal (an
   *     address or interface that fails the rules every side applies), or null
   */
  public record Answer(Lease lease, boolean counted, boolean stalled, String refused) {
    Answer(Lease lease, boolean counted, boolean stalled) {
      this(lease, counted, stalled, null);
    }
  }

  /**
   * Whether {@code g} recorded the renewal and gives a lease addresses can be held under: kernel
   * lifetimes are whole seconds, so no lease shorter than {@link #MIN_LEASE_MILLIS} is.
   */
  public static boolean usable(LeaseGrant g) {
    return g.getError().isEmpty() && g.getLeaseMillis() >= MIN_LEASE_MILLIS;
  }

  /** An answer from the coordinator. Anything but the answer to the outstanding renewal is ignored. */
  public Answer answer(LeaseGrant g) {
    if (outstandingSeq < 0 || g.getSeq() != outstandingSeq) {
      return new Answer(this, false, false);
    }
    if (!usable(g)) {
      return new Answer(givenUp(), false, true);
    }
    // Addresses, interfaces and tickles become lines of 'ip -batch' and packets, as root: what
    // fails the rules is left out (and reported); the lease itself still counts, for every replica
    // would send the same grant, and dropping the whole of it would drop every address.
    List<Violation> bad = new ArrayList<>();
    Map<String, AddressAssignment> next = new LinkedHashMap<>();
    for (int i = 0; i < g.getAddressesCount(); i++) {
      AddressAssignment a = g.getAddresses(i);
      List<Violation> v = new ArrayList<>();
      Addresses.cidr("grant.addresses[" + i + "].address", a.getAddress(), v);
      Addresses.interfaceName("grant.addresses[" + i + "].interface", a.getInterface(), v);
      if (!v.isEmpty()) {
        bad.addAll(v);
        continue;
      }
      AddressAssignment.Builder clean = a.toBuilder().clearTickles();
      for (int t = 0; t < a.getTicklesCount(); t++) {
        List<Violation> tv = tickle("grant.addresses[" + i + "].tickles[" + t + "]", a.getTickles(t), a.getAddress());
        if (tv.isEmpty()) {
          clean.addTickles(a.getTickles(t));
        } else {
          bad.addAll(tv);
        }
      }
      next.put(Addresses.host(a.getAddress()), clean.build());
    }
    long l = TimeUnit.MILLISECONDS.toNanos(g.getLeaseMillis());
    return new Answer(new Lease(l, nextSeq, -1, outstandingSentNanos, lastSentNanos, renewAsked,
        outstandingSentNanos + l, next), true, false,
        bad.isEmpty() ? null : String.join("; ", bad.stream().map(Violation::toString).toList()));
  }

  private static final java.util.regex.Pattern ENDPOINT = java.util.regex.Pattern.compile("([0-9.]{7,15}):(\\d{1,5})");

  /** A tickle: IPv4 literals with ports, its server side the assignment's own address. */
  private static List<Violation> tickle(String field, org.smbgw.proto.v1.TcpConnection c, String assigned) {
    List<Violation> out = new ArrayList<>();
    for (String end : List.of(c.getClient(), c.getServer())) {
      java.util.regex.Matcher m = ENDPOINT.matcher(end);
      List<Violation> v = new ArrayList<>();
      if (m.matches()) {
        Addresses.cidr(field, m.group(1) + "/32", v);
      }
      if (!m.matches() || !v.isEmpty() || Integer.parseInt(m.group(2)) < 1 || Integer.parseInt(m.group(2)) > 65535) {
        out.add(new Violation(field, "a tickle's ends are IPv4 address:port (got " + org.smbgw.common.Text.quote(end)
            + ")"));
        return out;
      }
    }
    if (!c.getServer().substring(0, c.getServer().lastIndexOf(':')).equals(Addresses.host(assigned))) {
      out.add(new Violation(field, "a tickle's server is the address it comes with (" + Addresses.host(assigned) + ")"));
    }
    return out;
  }

  /** Something the coordinator should hear about changed: renew without waiting for L/4. */
  public Lease askRenewal() {
    return renewAsked ? this : new Lease(leaseNanos, nextSeq, outstandingSeq, outstandingSentNanos, lastSentNanos,
        true, validUntilNanos, granted);
  }

  /**
   * The kernel lifetime an address may get at {@code now}: the whole seconds left of the lease,
   * rounded down; 0 when less than a second is left (nothing may be extended then).
   */
  public long wholeSecondsLeft(long now) {
    long left = validUntilNanos - now;
    return left <= 0 ? 0 : left / 1_000_000_000L;
  }

  /** See {@link #stretchDue}: how far ahead of a whole second left the stretch may happen. */
  static final long STRETCH_FROM_NANOS = TimeUnit.MILLISECONDS.toNanos(250);
  /**
   * See {@link #stretchDue}: kept clear of the lease's end. The kernel checks lifetimes on a timer it
   * rounds up to a whole second when that costs less than a quarter of one (ADDRCONF_TIMER_FUZZ), so
   * an address can outlive its lifetime by up to 250 ms (20-30 ms measured): a deadline 150 ms early
   * keeps the removal inside the leader's margin (150 ms) past the lease.
   */
  static final long STRETCH_UNTIL_NANOS = TimeUnit.MILLISECONDS.toNanos(150);

  /**
   * The held addresses' kernel lifetime should be set again now, without an answer. A lifetime set
   * when an answer arrives is the whole seconds left then, so with L = 2 s it is 1 s: without this,
   * the addresses would go a second after the last answer although the lease runs a second longer.
   * Just before the whole seconds left drop by one (between 250 and 150 ms before), setting them
   * again brings the kernel's deadline to 150-250 ms before the lease's end, never past it.
   *
   * @param kernelUntilNanos when the lifetime last set runs out
   */
  public boolean stretchDue(long now, long kernelUntilNanos) {
    long left = validUntilNanos - now;
    if (left < 1_000_000_000L) {
      return false;
    }
    long beyond = left % 1_000_000_000L;
    return beyond >= STRETCH_UNTIL_NANOS && beyond < STRETCH_FROM_NANOS
        && now + (left - beyond) - kernelUntilNanos >= STRETCH_FROM_NANOS - STRETCH_UNTIL_NANOS;
  }

  private Lease givenUp() {
    return new Lease(leaseNanos, nextSeq, -1, outstandingSentNanos, lastSentNanos, true, validUntilNanos, granted);
  }
}
