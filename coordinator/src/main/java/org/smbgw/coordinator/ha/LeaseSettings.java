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
   * DESIGN 4's rule, on this replica's {@link org.smbgw.coordinator.state.ListeningClock} (the time
   * it was connected to ZooKeeper): a holder's lease is expired when no renewal has been heard for
   * more than L + margin, counted from the later of when this replica first saw the lease's current
   * version and when it first saw the address record's (an address just given to the node is not
   * taken away for a renewal older than the grant). Time disconnected does not count: no renewal
   * could be heard through it, however long the quorum was lost or however often. A new leader
   * inherits the count: it heard each version as a follower, and a version it never saw is not in
   * its view, so it waits, and a renewal it did not see fails its move on the version check.
   *
   * @param leaseHeard when this replica first saw the lease's current version ({@code Tracked.heardNanos})
   * @param recordHeard when it first saw the address record's current version
   * @param heardNow its listening clock now
   */
  public boolean expired(long leaseHeard, long recordHeard, long heardNow) {
    return heardNow - Math.max(leaseHeard, recordHeard) > expiryNanos();
  }

  /** Whether a node renewing like this one is fit to take an address now. */
  public boolean fresh(long leaseSeen, long now) {
    return now - leaseSeen < freshNanos();
  }
}
