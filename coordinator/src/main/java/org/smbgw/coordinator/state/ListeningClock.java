package org.smbgw.coordinator.state;

import java.util.function.LongSupplier;

/**
 * The time this replica has spent connected to ZooKeeper, and so able to see renewals: the clock
 * lease expiry runs on. It stands still while the replica is disconnected (a quorum lost, a
 * partition), so a lease never expires for silence that could not have been heard, however many
 * outages, short or long, come one after another; and it delays a failover by exactly the time
 * the replica was deaf, no more.
 */
public final class ListeningClock {
  private final LongSupplier ticker;
  /** Connected time before {@link #connectedSince}. */
  private long heard;
  /** The ticker when the current connection began; Long.MIN_VALUE while disconnected. */
  private long connectedSince = Long.MIN_VALUE;

  public ListeningClock(LongSupplier ticker) {
    this.ticker = ticker;
  }

  public synchronized void connected() {
    if (connectedSince == Long.MIN_VALUE) {
      connectedSince = ticker.getAsLong();
    }
  }

  public synchronized void disconnected() {
    if (connectedSince != Long.MIN_VALUE) {
      heard += ticker.getAsLong() - connectedSince;
      connectedSince = Long.MIN_VALUE;
    }
  }

  /** Nanoseconds connected so far. */
  public synchronized long now() {
    return connectedSince == Long.MIN_VALUE ? heard : heard + ticker.getAsLong() - connectedSince;
  }
}
