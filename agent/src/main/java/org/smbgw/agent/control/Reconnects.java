package org.smbgw.agent.control;

import org.smbgw.agent.net.Lease;
import org.smbgw.proto.v1.LeaseGrant;

/**
 * How long the session waits before its next try, after a stream broke, could not open, or its
 * replica went quiet. The first failure after a working session switches to the next replica at
 * once (a failover must not wait), though at most once a second: a replica that serves and then
 * breaks every stream must not make a tight loop of it. The other replicas of that round follow
 * 100 ms apart, and only after a whole round failed does the wait grow, doubling from round to
 * round, never past a quarter of the lease (nor a second). With one replica there is no other to
 * switch to: the first wait is already a round's.
 *
 * <p>The cap is that low because of what follows an outage of the whole ZooKeeper ensemble: a new
 * leader counts every lease it inherits from its own takeover, and moves an address whose holder
 * does not renew within L plus margin. An agent that sat out the outage in a long wait would lose
 * its addresses to another node although nothing was wrong with it. (Measured in the failover
 * lab: with the wait doubling after every failed replica, up to 5 s, an agent was 3.2 s into a
 * wait when the new leader took over, and its address moved.)
 *
 * <p>A replica that answers renewals with an error (it cannot reach ZooKeeper) is {@link
 * #refused}: the next try comes within 100 ms whatever the round, because a short ZooKeeper
 * election makes every replica answer so for a moment, and the agent's own lease runs meanwhile.
 *
 * <p>The price, while no replica can serve: with n replicas that fail at once, n tries every
 * cap + (n - 1) x 100 ms (with L = 2 s and three replicas, about four a second), or ten a second
 * while they answer with errors; each try is a new TLS connection.
 *
 * <p>Not thread-safe: the session guards it with its own monitor. Time is the caller's ticker.
 */
final class Reconnects {
  /** The wait before the next replica of the same round. */
  static final long NEXT_REPLICA_MILLIS = 100;
  /** The wait after the first round in which every replica failed. */
  static final long FIRST_ROUND_MILLIS = 200;
  /** The longest wait, whatever the lease. */
  static final long MAX_MILLIS = 1000;
  /** At most one switch at once in this long. */
  static final long IMMEDIATE_EVERY_NANOS = 1_000_000_000L;

  private final int replicas;
  private int failures;
  private long leaseMillis;
  private boolean switchedAtOnce;
  private long switchedAtOnceNanos;

  /** @param replicas how many replicas a round tries (at least one) */
  Reconnects(int replicas) {
    if (replicas < 1) {
      throw new IllegalArgumentException("a round needs at least one replica");
    }
    this.replicas = replicas;
  }

  /** A stream failed, or its replica went quiet, at {@code nowNanos}: the wait before the next try. */
  long failed(long nowNanos) {
    if (failures < Integer.MAX_VALUE) {
      failures++;
    }
    long wait = waitMillis(failures, replicas, leaseMillis);
    if (wait == 0) {
      if (switchedAtOnce && nowNanos - switchedAtOnceNanos < IMMEDIATE_EVERY_NANOS) {
        return NEXT_REPLICA_MILLIS;
      }
      switchedAtOnce = true;
      switchedAtOnceNanos = nowNanos;
    }
    return wait;
  }

  /** The replica answered a renewal with an error at {@code nowNanos}: the wait before the next try. */
  long refused(long nowNanos) {
    return Math.min(failed(nowNanos), NEXT_REPLICA_MILLIS);
  }

  /** A replica served the session (it sent a desired state): the next failure starts afresh. */
  void served() {
    failures = 0;
  }

  /**
   * A grant came on the current stream. One that recorded the renewal ({@link Lease#usable}) says
   * the replica serves, even before it sends a state, and its lease length sets the cap; any
   * other changes nothing.
   */
  void granted(LeaseGrant g) {
    if (Lease.usable(g)) {
      leaseMillis = g.getLeaseMillis();
      served();
    }
  }

  /**
   * The wait after {@code failures} failures in a row (at least one), trying {@code replicas}
   * replicas in turn, under a lease of {@code leaseMillis} (0 or less: not known yet); 0 for a
   * switch at once.
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
