package org.smbgw.coordinator.state;

import java.util.function.LongSupplier;

/**
 * The time this replica has spent connected to ZooKeeper, and so able to see renewals: the clock
 * lease expiry runs on. It stands still while the replica is disconnected (a quorum lost, a
 * partition), so a lease does not expire for silence that could not have been heard, however many
 * outages come one after another.
 *
 * <p>A connection that dies silently (a server host powered off, a cut cable) is noticed only
 * when the client has heard nothing for its read timeout (two thirds of the session timeout), so
 * each outage also takes back up to that much of the connected time before it was noticed: a
 * failover can come that much later than L + margin after an outage, never earlier.
 *
 * <p>Called from Curator's connection-state thread ({@link #connected}, {@link #disconnected})
 * and read from any thread.
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

  /**
   * The connection is gone, and may have been for up to {@code unnoticedNanos} before the client
   * noticed: that much of the connection's time does not count.
   */
  public synchronized void disconnected(long unnoticedNanos) {
    if (connectedSince != Long.MIN_VALUE) {
      heard += Math.max(0, ticker.getAsLong() - connectedSince - unnoticedNanos);
      connectedSince = Long.MIN_VALUE;
    }
  }

  /** Nanoseconds connected so far. */
  public synchronized long now() {
    return connectedSince == Long.MIN_VALUE ? heard : heard + ticker.getAsLong() - connectedSince;
  }
}
