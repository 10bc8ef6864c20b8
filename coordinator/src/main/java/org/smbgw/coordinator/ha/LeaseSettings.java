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
}
