package org.smbgw.coordinator.election;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Background work only the leader does, on a thread of its own: run on election, whenever
 * {@link #trigger()} is called (coalesced: one run however many calls while one is queued), and,
 * if given, on a period. Never runs while this replica does not lead.
 */
public abstract class LeaderWorker implements Leadership.Listener, AutoCloseable {
  private final ScheduledExecutorService thread;
  private final AtomicBoolean queued = new AtomicBoolean();
  private volatile Term term;

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
    if (t != null) {
      run(t);
    }
  }

  @Override
  public void close() {
    term = null;
    thread.shutdownNow();
  }
}
