package org.smbgw.agent.control;

/**
 * How long the session waits before its next try, after a stream broke, could not open, or its
 * replica stopped answering renewals (or answered them with errors). The first failure after a
 * working session switches to the next replica at once: a failover must not wait. The other
 * replicas of that round follow 100 ms apart, and only after a whole round failed does the wait
 * grow, doubling from round to round, never past a quarter of the lease (nor a second).
 *
 * <p>The cap is that low because of what follows an outage of the whole ZooKeeper ensemble: a new
 * leader counts every lease it inherits from its own takeover, and moves an address whose holder
 * does not renew within L plus margin. An agent that sat out the outage in a long wait would lose
 * its addresses to another node although nothing was wrong with it. (Measured in the failover
 * lab: with the wait doubling after every failed replica, up to 5 s, an agent was 3.2 s into a
 * wait when the new leader took over, and its address moved.)
 *
 * <p>The price, while no replica can serve: with n replicas, n tries every cap + (n - 1) x 100 ms
 * (with L = 2 s and three replicas, about four a second), each a new TLS connection. Before, an
 * error grant made the agent switch replicas at every lease tick (25 ms), without any wait.
 *
 * <p>Not thread-safe: the session guards it with its own monitor.
 */
final class Reconnects {
  /** The wait before the next replica of the same round. */
  static final long NEXT_REPLICA_MILLIS = 100;
  /** The wait after the first round in which every replica failed. */
  static final long FIRST_ROUND_MILLIS = 200;
  /** The longest wait, whatever the lease. */
  static final long MAX_MILLIS = 1000;

  private final int replicas;
  private int failures;
  private long leaseMillis;

  /** @param replicas how many replicas a round tries (at least one) */
  Reconnects(int replicas) {
    if (replicas < 1) {
      throw new IllegalArgumentException("a round needs at least one replica");
    }
    this.replicas = replicas;
  }

  /** A stream failed: the wait before the next try. */
  long failed() {
    if (failures < Integer.MAX_VALUE) {
      failures++;
    }
    return waitMillis(failures, replicas, leaseMillis);
  }

  /** A replica served the session (a desired state or a lease came): the next failure switches at once. */
  void served() {
    failures = 0;
  }

  /** The lease length of the latest grant without an error; one shorter than any lease can be is passed over. */
  void lease(long millis) {
    if (millis >= org.smbgw.agent.net.Lease.MIN_LEASE_MILLIS) {
      leaseMillis = millis;
    }
  }

  /**
   * The wait after {@code failures} failures in a row (at least one), trying {@code replicas}
   * replicas in turn, under a lease of {@code leaseMillis} (0 or less: not known yet).
   */
  static long waitMillis(int failures, int replicas, long leaseMillis) {
    if (failures < 1 || replicas < 1) {
      throw new IllegalArgumentException("at least one failure and one replica");
    }
    if (failures == 1 && replicas > 1) {
      return 0;
    }
    long cap = leaseMillis > 0 ? Math.min(MAX_MILLIS, leaseMillis / 4) : MAX_MILLIS;
    if (failures % replicas != 0) {
      return Math.min(NEXT_REPLICA_MILLIS, cap);
    }
    int rounds = failures / replicas;
    long wait = FIRST_ROUND_MILLIS << Math.min(rounds - 1, 16);
    return Math.min(wait, cap);
  }
}
