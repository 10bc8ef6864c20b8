package org.smbgw.coordinator.write;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.coordinator.decide.Change;
import org.smbgw.coordinator.decide.Context;
import org.smbgw.coordinator.decide.Snapshot;
import org.smbgw.coordinator.decide.Write;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.ha.HaListener;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.StoreException;
import org.smbgw.proto.v1.Event;

/**
 * The leader's one writer of desired state. A decision (the admin API's, the address duties', the
 * clearing up) is made on a {@link Snapshot} of the view, and its {@link Change} is written in one
 * ZooKeeper transaction fenced on the term's epoch and on the generation the snapshot reflects.
 * When the generation moved meanwhile (another decision's write, a view that trailed, a deposed
 * leader's write), the decision is made again on a snapshot that shows it. The fence is what keeps
 * the state right; on top of it, {@link #serial} runs the admin API's decisions one at a time and
 * returns only once the view shows the write, so two creates in a row are placed on a picture that
 * includes the first; the leader's clearing up takes its turn there too. The address duties use
 * {@link #run} and queue behind nobody: a failover waits for no administrator's apply, and is only
 * decided again if one landed first.
 */
public final class ChangeWriter {
  /** Decides on a snapshot; pure. */
  @FunctionalInterface
  public interface Decision<R> {
    Change<R> decide(Snapshot snapshot, Context context);
  }

  /** Times a decision is made again because the state changed under it, before the caller hears ABORTED. */
  static final int DECISIONS = 5;
  /** How long a decision waits for the view to show a newer generation (its own write, or another's). */
  static final Duration VIEW_WAIT = Duration.ofSeconds(5);
  /** Events looked through for a decision's own: far more than writes between its try and the look. */
  private static final int LANDED_LOOKBACK = 200;

  private final ClusterView view;
  private final StateStore store;
  private final Clock clock;
  private final HaListener told;
  /** The admin API's turn, in order of arrival; interruptible and bounded, unlike a monitor. */
  private final ReentrantLock serial = new ReentrantLock(true);

  public ChangeWriter(ClusterView view, StateStore store, Clock clock, HaListener told) {
    this.view = view;
    this.store = store;
    this.clock = clock;
    this.told = told;
  }

  /**
   * {@link #run}, one at a time: waits at most {@code maxWait} for the decisions before it.
   *
   * @throws StoreException UNAVAILABLE when its turn did not come within {@code maxWait}
   */
  public <R> Change<R> serial(Term term, Duration maxWait, Decision<R> decision) throws Exception {
    if (!serial.tryLock(maxWait.toNanos(), TimeUnit.NANOSECONDS)) {
      throw new StoreException(StoreException.Kind.UNAVAILABLE, "the leader is busy with other changes; retry");
    }
    try {
      return run(term, decision);
    } finally {
      serial.unlock();
    }
  }

  /**
   * Decides and writes, deciding again while the generation moves under it; returns once the
   * view shows the write.
   *
   * @return the change written (or, with nothing to write, decided)
   * @throws StoreException NOT_LEADER when {@code term} ended, MOVED after {@value #DECISIONS} tries,
   *     OUTCOME_UNKNOWN when a write's answer was lost and ZooKeeper cannot say whether it landed,
   *     UNAVAILABLE when the view is not settled after a reconnect, else by the first write that failed
   */
  public <R> Change<R> run(Term term, Decision<R> decision) throws Exception {
    for (int attempt = 1; ; attempt++) {
      if (!view.awaitSettled(VIEW_WAIT)) {
        throw new StoreException(StoreException.Kind.UNAVAILABLE,
            "this coordinator is still re-reading ZooKeeper's state after a reconnect; retry");
      }
      Snapshot s = snapshot();
      Change<R> change = decision.decide(s, new Context(term.epoch(), clock.millis()));
      if (change.writesNothing()) {
        return change;
      }
      String id = UUID.randomUUID().toString();
      try {
        store.fenced(term, s.generation(), ops(term, id, change));
      } catch (StoreException e) {
        // The connection lost the answer and Curator tried again: the first try may have landed.
        boolean lost = e.kind() == StoreException.Kind.MOVED || e.kind() == StoreException.Kind.UNAVAILABLE;
        Outcome outcome = lost && !change.events().isEmpty() ? landed(id) : Outcome.NOT_LANDED;
        if (outcome == Outcome.LANDED) {
          tell(change);
          return change;
        }
        if (outcome == Outcome.UNKNOWN) {
          // Deciding again could answer a create that landed with ALREADY_EXISTS: say what is known.
          throw new StoreException(StoreException.Kind.OUTCOME_UNKNOWN, "ZooKeeper's answer to this change was lost "
              + "and whether it was written cannot be told now; look at the state before doing it again");
        }
        if (e.kind() != StoreException.Kind.MOVED || attempt == DECISIONS) {
          throw e;
        }
        view.awaitGeneration(s.generation() + 1, VIEW_WAIT);
        continue;
      }
      tell(change);
      view.awaitGeneration(s.nextGeneration(), VIEW_WAIT);
      return change;
    }
  }

  /** The last copy of the view, and the view's count of changes before it was taken. */
  private Snapshot last;
  private long lastChanges = -1;

  /**
   * The view now. The address duties look at every address 20 times a second: while the view has
   * applied no change but renewals since the last copy, that copy serves with the leases and
   * clocks of now.
   */
  private synchronized Snapshot snapshot() {
    long n = view.changes();
    if (last != null && n == lastChanges) {
      return last.at(view.leases(), view.now(), view.heard());
    }
    last = Snapshot.of(view);
    lastChanges = n;
    return last;
  }

  private void tell(Change<?> change) {
    if (!change.cause().isEmpty()) {
      told.placementChanged(change.cause(), change.moved());
    }
    if (!change.failover().isEmpty()) {
      told.failover(change.failover());
    }
  }

  private List<CuratorOp> ops(Term term, String id, Change<?> change) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    for (Write w : change.writes()) {
      ops.add(op(w));
    }
    long now = clock.millis();
    for (Change.Note n : change.events()) {
      ops.add(store.event(Event.newBuilder().setTimeMillis(now).setKind(n.kind()).setSubject(n.subject())
          .setMessage(n.message()).setEpoch(term.epoch()).setDecision(id).build()));
    }
    return ops;
  }

  private CuratorOp op(Write w) throws Exception {
    if (w instanceof Write.Create c) {
      return store.create(c.path(), c.value());
    }
    if (w instanceof Write.Update u) {
      return store.set(u.path(), u.value(), u.version());
    }
    if (w instanceof Write.Delete d) {
      return store.delete(d.path(), d.version());
    }
    Write.Check c = (Write.Check) w; // the interface is sealed: nothing else
    return store.check(c.path(), c.version());
  }

  /** What a write whose answer was lost did, as far as can be told. */
  enum Outcome {
    LANDED, NOT_LANDED, UNKNOWN
  }

  /**
   * Whether a decision's transaction is in ZooKeeper after all: its events carry the decision's
   * id. Asked of ZooKeeper itself: after a reconnect the view re-reads everything in no set order,
   * and may show the generation before the events. Unknown when ZooKeeper cannot say now.
   */
  private Outcome landed(String id) throws InterruptedException {
    try {
      return store.decided(id, LANDED_LOOKBACK) ? Outcome.LANDED : Outcome.NOT_LANDED;
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      return Outcome.UNKNOWN;
    }
  }
}
