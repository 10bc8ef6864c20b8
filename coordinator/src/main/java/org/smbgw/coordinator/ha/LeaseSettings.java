package org.smbgw.coordinator.ha;

import java.time.Duration;

/**
 * Lease length L and the leader's extra margin before it takes a node's addresses away.
 *
 * @param lease how long one renewal lets an agent hold its addresses, counted from when it sent it
 * @param margin what the leader waits beyond L after the last renewal it saw
 */
public record LeaseSettings(Duration lease, Duration margin) {
  public static LeaseSettings defaults() {
    return new LeaseSettings(Duration.ofMillis(2000), Duration.ofMillis(150));
  }

  /** Without a renewal for this long, the node has surely let go of its addresses. */
  public long expiryNanos() {
    return lease.plus(margin).toNanos();
  }

  /** A node whose lease changed within this is fit to take addresses. */
  public long freshNanos() {
    return lease.toNanos() / 2;
  }

  /**
   * DESIGN 4's rule, on this replica's clock: a holder's lease is expired when no renewal has
   * been seen for more than L + margin, counted from the latest of: when this replica first saw
   * the lease's current version; when it first saw the address record's (an address just given to
   * the node is not taken away for a renewal older than the grant); and when its own ZooKeeper
   * outage of at least L ended (renewals could not be seen through it). A new leader inherits the
   * count: it saw each version as a follower, and a version it never saw is not in its view, so it
   * waits, and a renewal it did not see fails its move on the version check.
   *
   * @param leaseSeen when this replica first saw the lease's current version ({@code Tracked.seenNanos})
   * @param recordSeen when it first saw the address record's current version
   * @param outageEnd when its last ZooKeeper outage of at least L ended, or Long.MIN_VALUE
   */
  public boolean expired(long leaseSeen, long recordSeen, long outageEnd, long now) {
    return now - Math.max(Math.max(leaseSeen, recordSeen), outageEnd) > expiryNanos();
  }

  /** Whether a node renewing like this one is fit to take an address now. */
  public boolean fresh(long leaseSeen, long now) {
    return now - leaseSeen < freshNanos();
  }
}
