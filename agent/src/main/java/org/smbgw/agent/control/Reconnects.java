package org.smbgw.agent.control;

/**
 * How long the session waits before its next try, after a stream broke or could not open. The
 * replicas of one round are tried close together: a replica that cannot serve says so at once,
 * and the next one may well be fine. Only after a whole round failed does the wait grow, doubling
 * from round to round, and never past a quarter of the lease (nor a second).
 *
 * <p>The cap is that low because of what follows an outage of the whole ZooKeeper ensemble: a new
 * leader counts every lease it inherits from its own takeover, and moves an address whose holder
 * does not renew within L plus margin. An agent that sat out the outage in a long wait would lose
 * its addresses to another node although nothing was wrong with it. (Measured in the failover
 * lab: with the wait doubling after every failed replica, up to 5 s, an agent was 3.2 s into a
 * wait when the new leader took over, and its address moved.) The price is a failed hello about
 * every L/4 from each agent while no replica can serve one.
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

  /** A replica served the session (a desired state came): the next failure starts a new round. */
  void served() {
    failures = 0;
  }

  /** The lease length of the latest grant; 0 or less when none came yet. */
  void lease(long millis) {
    leaseMillis = millis;
  }

  /**
   * The wait after {@code failures} failures in a row (at least one), trying {@code replicas}
   * replicas in turn, under a lease of {@code leaseMillis} (0 or less: not known yet).
   */
  static long waitMillis(int failures, int replicas, long leaseMillis) {
    long cap = leaseMillis > 0 ? Math.min(MAX_MILLIS, leaseMillis / 4) : MAX_MILLIS;
    if (failures % replicas != 0) {
      return Math.min(NEXT_REPLICA_MILLIS, cap);
    }
    int rounds = failures / replicas;
    long wait = FIRST_ROUND_MILLIS << Math.min(rounds - 1, 16);
    return Math.min(wait, cap);
  }
}
