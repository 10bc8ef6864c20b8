package org.smbgw.coordinator.election;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Background work only the leader does, on a thread of its own: run on election, whenever
 * {@link #trigger()} is called (coalesced: one run however many calls while one is queued), and,
 * if given, on a period. Never starts while this replica does not lead, and a run under way when
 * it is deposed is interrupted (its fenced writes would fail anyway; it stops waiting on them).
 */
public abstract class LeaderWorker implements Leadership.Listener, AutoCloseable {
  private final ScheduledExecutorService thread;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile Term term;
  /** The worker's thread while a run is under way. */
  private volatile Thread running;

  /** @param periodMs also run every this many milliseconds; 0 for only on triggers */
  protected LeaderWorker(String threadName, long periodMs) {
    thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    if (periodMs > 0) {
      thread.scheduleWithFixedDelay(this::runIfLeading, periodMs, periodMs, TimeUnit.MILLISECONDS);
    }
  }

  /** One run, on the worker's thread, in {@code term}. */
  protected abstract void run(Term term);

  /** Called once on the worker's thread when elected, before the first run. */
  protected void onElected(Term term) {}

  @Override
  public final void elected(Term t) {
    term = t;
    thread.execute(() -> onElected(t));
    trigger();
  }

  @Override
  public final void deposed() {
    term = null;
    Thread r = running;
    if (r != null) {
      r.interrupt();
    }
  }

  /** Whether {@code t} is still this replica's term: a long run checks between its writes. */
  protected final boolean leading(Term t) {
    return term == t;
  }

  /** Asks for a run soon (no-op unless leading). Safe from any thread; must stay quick. */
  public final void trigger() {
    if (term != null && queued.compareAndSet(false, true)) {
      thread.execute(() -> {
        queued.set(false);
        runIfLeading();
      });
    }
  }

  private void runIfLeading() {
    Term t = term;
    if (t == null) {
      return;
    }
    running = Thread.currentThread();
    try {
      run(t);
    } finally {
      running = null;
      Thread.interrupted(); // a deposition's interrupt ends this run, not the next one's
    }
  }

  @Override
  public void close() {
    term = null;
    thread.shutdownNow();
  }
}
