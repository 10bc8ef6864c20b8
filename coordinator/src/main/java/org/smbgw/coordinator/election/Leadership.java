package org.smbgw.coordinator.election;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.Participant;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.smbgw.coordinator.state.ZkPaths;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's part in the election. Leadership starts only once the epoch has been incremented
 * (so every term has its own epoch) and ends the moment Curator reports the latch lost, which it
 * does as soon as the ZooKeeper connection is suspended: leader-only work stops before the session
 * can expire and another replica take over.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Leadership.class);

  /** Told on the election's own thread ({@code smbgw-election}); must return quickly. */
  public interface Listener {
    void elected(Term term);

    void deposed();
  }

  private final CuratorFramework zk;
  private final String id;
  /** Replaced when a term cannot start: a closed latch cannot be started again. */
  private volatile LeaderLatch latch;
  private final AtomicReference<Term> term = new AtomicReference<>();
  private final List<Listener> listeners = new CopyOnWriteArrayList<>();
  /**
   * Where taking over and stepping down run, in the order Curator reports them: starting a term
   * reads and writes ZooKeeper, which must not happen on Curator's own event thread.
   */
  private final java.util.concurrent.ExecutorService election = java.util.concurrent.Executors.newSingleThreadExecutor(
      r -> {
        Thread t = new Thread(r, "smbgw-election");
        t.setDaemon(true);
        return t;
      });
  /** Watches the election's znodes: who leads can only change when they do. */
  private final CuratorCache candidates;
  /** Counts changes of who may lead (the election's znodes, this replica's terms); waiters wait on it. */
  private final AtomicLong changes = new AtomicLong();

  /** Attempts at the epoch's compare-and-set before giving the term up (each loss means a racing replica). */
  private static final int EPOCH_ATTEMPTS = 10;

  /** @param id this replica's advertised address (host:port); followers forward to it */
  public Leadership(CuratorFramework zk, String id) {
    this.zk = zk;
    this.id = id;
    this.latch = newLatch();
    this.candidates = CuratorCache.build(zk, ZkPaths.ELECTION);
    candidates.listenable().addListener((type, before, after) -> changed());
    // A follower cut off from ZooKeeper cannot say who leads; when it can again, waiters look again.
    zk.getConnectionStateListenable().addListener((client, state) -> changed());
  }

  private void changed() {
    changes.incrementAndGet();
    synchronized (changes) {
      changes.notifyAll();
    }
  }

  /**
   * Waits until a leader is known, at most {@code max}: empty when it is this replica, else the
   * other's id (empty too when none was elected in time). Woken by changes of the election, not
   * by polling; the look at ZooKeeper happens outside any lock.
   */
  public Optional<String> awaitLeader(java.time.Duration max) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (true) {
      long seen = changes.get();
      if (isLeader()) {
        return Optional.empty();
      }
      Optional<String> other = leaderId().filter(x -> !x.equals(id));
      long left = deadline - System.nanoTime();
      if (other.isPresent() || left <= 0) {
        return other;
      }
      synchronized (changes) {
        if (changes.get() == seen) {
          TimeUnit.NANOSECONDS.timedWait(changes, left);
        }
      }
    }
  }

  private LeaderLatch newLatch() {
    LeaderLatch l = new LeaderLatch(zk, ZkPaths.ELECTION, id);
    l.addListener(new LeaderLatchListener() {
      @Override
      public void isLeader() {
        takeOver();
      }

      @Override
      public void notLeader() {
        stepDown();
      }
    }, election);
    return l;
  }

  public void addListener(Listener l) {
    listeners.add(l);
  }

  public void start() throws Exception {
    candidates.start();
    latch.start();
  }

  private void takeOver() {
    try {
      Term t = incrementEpoch();
      if (!latch.hasLeadership()) {
        return; // lost it again while incrementing
      }
      term.set(t);
      changed();
      log.info("{} is the leader, epoch {}", id, t.epoch());
      listeners.forEach(l -> l.elected(t));
    } catch (Exception e) {
      log.error("could not start a term: {}; giving up leadership", e.toString());
      try {
        LeaderLatch failed = latch;
        latch = newLatch();
        failed.close(LeaderLatch.CloseMode.NOTIFY_LEADER);
        latch.start();
      } catch (Exception ex) {
        log.error("cannot rejoin the election", ex);
      }
    }
  }

  private void stepDown() {
    if (term.getAndSet(null) != null) {
      changed();
      log.info("{} is no longer the leader", id);
      listeners.forEach(Listener::deposed);
    }
  }

  private Term incrementEpoch() throws Exception {
    for (int attempt = 1; ; attempt++) {
      Stat stat = new Stat();
      byte[] data = zk.getData().storingStatIn(stat).forPath(ZkPaths.EPOCH);
      long next = Long.parseLong(new String(data, StandardCharsets.UTF_8).strip()) + 1;
      try {
        Stat after = zk.setData().withVersion(stat.getVersion())
            .forPath(ZkPaths.EPOCH, Long.toString(next).getBytes(StandardCharsets.UTF_8));
        return new Term(next, after.getVersion());
      } catch (KeeperException.BadVersionException e) {
        // another replica raced us (it was briefly leader); read again, a few times
        if (attempt == EPOCH_ATTEMPTS || !latch.hasLeadership()) {
          throw e;
        }
      }
    }
  }

  /** The current term, when this replica leads. */
  public Optional<Term> term() {
    return Optional.ofNullable(term.get()).filter(t -> latch.hasLeadership());
  }

  public boolean isLeader() {
    return term().isPresent();
  }

  /** The leader's id (its address), asking ZooKeeper; empty while there is none. */
  public Optional<String> leaderId() {
    try {
      Participant p = latch.getLeader();
      return p.isLeader() && !p.getId().isEmpty() ? Optional.of(p.getId()) : Optional.empty();
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  public String id() {
    return id;
  }

  @Override
  public void close() throws Exception {
    stepDown();
    candidates.close();
    latch.close();
    election.shutdownNow();
  }
}
