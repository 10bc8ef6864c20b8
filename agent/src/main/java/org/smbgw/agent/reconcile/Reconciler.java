package org.smbgw.agent.reconcile;

import com.codahale.metrics.Timer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Consumer;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.proto.v1.NodeDesiredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives observe, plan, apply. All passes run on the reconciler's own thread
 * ({@code smbgw-reconcile}, made here and closed by {@link #close()}), which owns every piece of
 * mutable state here; no promise to the cluster (lease, session) ever waits for it. {@link #trigger()} only says "look again": triggers that
 * arrive while a pass is queued coalesce into it. A timer looks again every resync interval, which
 * is what repairs drift nobody announced; a failed pass is looked at again sooner (see
 * {@link #retryLater}).
 */
public final class Reconciler implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  /**
   * Passes in a row that may change something for one desired state before waiting for the timer
   * (guards against a plan that never converges).
   */
  private static final int MAX_FOLLOW_UPS = 3;

  private final DesiredStateSource source;
  private final Observer observer;
  private final Planner planner;
  private final Executor applier;
  private final AgentMetrics metrics;
  /** The reconcile thread, so that progress reported from elsewhere is told apart. */
  private volatile Thread thread;
  private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-reconcile");
    t.setDaemon(true);
    thread = t;
    return t;
  });
  private final AtomicLong passesDone = new AtomicLong();
  private final Path parentsFile;
  private final Consumer<PassReport> reports;
  private final AtomicBoolean queued = new AtomicBoolean();
  private final LongSupplier ticker;
  /** When the running pass started or last began a step; -1 between passes. Any thread reads it. */
  private final AtomicLong progressAt = new AtomicLong(-1);
  /**
   * Test seam for the watchdog test (a system property, not a setting): while this file exists a
   * pass stands still before observing, as one stuck in file-system I/O without a timeout would.
   */
  private static final String STALL_PROPERTY = "smbgw.test.stallReconcileWhile";
  /** Passes in a row that changed something for the same desired state; reconcile thread only. */
  private int followUps;
  private NodeDesiredState lastDesired;
  /** The first look again after a failed pass; each further failure doubles it, up to the resync interval. */
  static final Duration FIRST_RETRY = Duration.ofSeconds(1);
  /**
   * How long after a quick pass the full one follows (see {@link QuickLook}): clients of a
   * failed-over share reconnect within about a second of its address coming up (a TCP connection
   * attempt tries again after 1 s).
   */
  static final Duration AFTER_QUICK = Duration.ofSeconds(2);
  /** Set by {@link #start}: the timer's interval; null while passes are driven by hand. */
  private volatile Duration resync;
  /** The delay of the last retry scheduled, 0 after a pass that went well; reconcile thread only. */
  private long retryMillis;
  /** The retry scheduled, if any; reconcile thread only. */
  private ScheduledFuture<?> retry;
  /** The whole look scheduled after a quick pass, if any; reconcile thread only. */
  private ScheduledFuture<?> afterQuick;

  /**
   * The last full pass that found nothing to do and saw everything, which a pass that only adds
   * shares, or only changes addresses and counters, may plan on (see {@link QuickLook}); what
   * {@link QuickLook.Base#after} says after each pass. Reconcile thread only.
   */
  private QuickLook.Base quickBase;

  /**
   * What one pass saw and did; handed to the status writer.
   *
   * @param quick whether the pass planned on the last look (see {@link QuickLook}); a full pass
   *     follows it {@link #AFTER_QUICK} later
   */
  public record PassReport(NodeDesiredState desired, Observed observed, Plan plan, Outcome outcome,
      Optional<String> sourceProblem, boolean quick) {}

  public Reconciler(DesiredStateSource source, Observer observer, Planner planner, Executor applier,
      AgentMetrics metrics, Path parentsFile, Consumer<PassReport> reports, LongSupplier ticker) {
    this.source = source;
    this.observer = observer;
    this.planner = planner;
    this.applier = applier;
    this.metrics = metrics;
    this.parentsFile = parentsFile;
    this.reports = reports;
    this.ticker = ticker;
  }

  /** A step is starting: the pass is making progress. Reconcile thread. */
  public void stepStarting() {
    progressAt.set(ticker.getAsLong());
  }

  /**
   * A program is starting on some thread: progress when it is the reconcile thread's (a step may
   * run several programs, each allowed the whole command timeout). Any thread.
   */
  public void commandStarting() {
    if (Thread.currentThread() == thread && progressAt.get() >= 0) {
      progressAt.set(ticker.getAsLong());
    }
  }

  /** Passes finished so far, whatever their outcome. Any thread. */
  public long passesDone() {
    return passesDone.get();
  }

  /**
   * Whether the loop is idle, or its pass began a step less than {@code patience} ago (a step's
   * programs time out on their own, so a step older than their timeout is stuck). Any thread.
   */
  public boolean progressing(Duration patience) {
    long at = progressAt.get();
    return at < 0 || ticker.getAsLong() - at < patience.toNanos();
  }

  /** Starts the timer: a pass now and every {@code resync} after the last one ended. */
  public void start(Duration resync) {
    this.resync = resync;
    executor.scheduleWithFixedDelay(this::trigger, 0, resync.toMillis(), TimeUnit.MILLISECONDS);
  }



  /** Asks for a pass soon. Cheap, thread-safe, coalescing. */
  public void trigger() {
    if (queued.compareAndSet(false, true)) {
      try {
        executor.execute(() -> {
          queued.set(false);
          passAndFollowUp();
        });
      } catch (RejectedExecutionException e) {
        queued.set(false); // closed: no more passes
      }
    }
  }

  /** Runs one pass on the reconcile thread and waits for it (tests, benchmarks, the CLI). */
  public PassReport reconcileNow() throws InterruptedException, ExecutionException {
    Future<PassReport> f = executor.submit(this::pass);
    return f.get();
  }

  private void passAndFollowUp() {
    if (afterQuick != null) {
      afterQuick.cancel(false); // this pass is that whole look, or a quick one that schedules its own
      afterQuick = null;
    }
    PassReport r = pass();
    if (r != null && !r.desired().equals(lastDesired)) {
      lastDesired = r.desired();
      followUps = 0; // the guard is against a plan that never converges on the same desired state
      retryMillis = 0; // and a change gets quick retries again, though an old share keeps failing
    }
    if (r != null && r.quick()) {
      lookAgainAfterQuick(); // the look it skipped, and the removals it left out
    } else if (r != null && r.plan() != null && !r.plan().isEmpty() && r.outcome().ok() && followUps < MAX_FOLLOW_UPS) {
      followUps++;
      trigger(); // confirm convergence: the next pass must find nothing to do
    } else {
      followUps = 0;
    }
    if (r != null ? !r.outcome().ok() : source.current().isPresent()) {
      retryLater(); // (no desired state yet is no failure: its arrival triggers a pass)
    } else {
      retryMillis = 0;
      if (retry != null) {
        retry.cancel(false);
      }
    }
  }

  /**
   * The full pass after a quick one comes {@link #AFTER_QUICK} later, not at once: the clients of a
   * share that just failed over here connect meanwhile, and a whole look's five Samba programs on
   * the node's cores made their first requests take 0.17 to 0.35 s instead of 0.05 s in the lab.
   * A trigger that comes sooner runs it sooner. Passes driven by hand (tests) have no timer.
   */
  private void lookAgainAfterQuick() {
    if (resync == null) {
      return;
    }
    try {
      afterQuick = executor.schedule(this::trigger, AFTER_QUICK.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: no more passes
    }
  }

  /**
   * A failed pass is tried again after 1 s, then 2, 4... up to the resync interval, instead of a
   * whole interval later: most failures are passing (another node's agent made the same system
   * account a moment before, a program timed out under load), and a failed-over share's address
   * waits for it. One that keeps failing costs a few passes, then one per interval, as before.
   */
  private void retryLater() {
    Duration every = resync;
    if (every == null) {
      return; // passes driven by hand (tests): no timer, no retries
    }
    retryMillis = retryMillis == 0 ? FIRST_RETRY.toMillis() : retryMillis * 2;
    if (retryMillis >= every.toMillis()) {
      retryMillis = every.toMillis();
      return; // the timer looks again as soon
    }
    if (retry != null) {
      retry.cancel(false);
    }
    try {
      retry = executor.schedule(this::trigger, retryMillis, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: no more passes
    }
  }

  private PassReport pass() {
    progressAt.set(ticker.getAsLong());
    try {
      stallForTests();
      return passOnce();
    } finally {
      progressAt.set(-1);
      passesDone.incrementAndGet();
    }
  }

  private static void stallForTests() {
    String file = System.getProperty(STALL_PROPERTY);
    while (file != null && Files.exists(Path.of(file))) {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private PassReport passOnce() {
    Optional<NodeDesiredState> desired = source.current();
    if (desired.isEmpty()) {
      source.problem().ifPresent(p -> log.warn("no desired state to apply: {}", p));
      return null;
    }
    try (Timer.Context ignored = metrics.reconcile().time()) {
      NodeDesiredState d = desired.get();
      Set<String> known = knownParents();
      long lookedAt = ticker.getAsLong();
      QuickLook.Base base = quickBase;
      quickBase = null; // whatever this pass does, the next one judges by it (Base.after, below)
      List<String> added = QuickLook.additions(base, d, lookedAt);
      boolean countersOnly = added.isEmpty() && QuickLook.onlyCountersDiffer(base, d, lookedAt);
      boolean quick = !added.isEmpty() || countersOnly;
      Observed obs;
      if (quick) {
        metrics.reconcileQuick().inc();
        obs = observer.refresh(base.observed(), d);
        log.info("generation {}: {}; planned on the last look ({} ms old), a whole look follows", d.getGeneration(),
            countersOnly ? "only addresses or counters changed" : added + " added",
            (lookedAt - base.observedAtNanos()) / 1_000_000);
      } else {
        try (Timer.Context o = metrics.observe().time()) {
          obs = observer.observe(d, known);
        }
      }
      Planner.Result planned = planner.plan(d, obs);
      Plan whole = planned.plan();
      if (quick) {
        planned = new Planner.Result(planned.plan().withoutRemovals(), planned.paths());
      }
      Outcome outcome = new Outcome();
      if (!planned.plan().isEmpty() || applier.owesReload()) {
        remember(known, Observer.parents(d, Set.of()));
        log.info("generation {}: applying {} step(s)", d.getGeneration(), planned.plan().size());
        try (Timer.Context a = metrics.apply().time()) {
          outcome = applier.execute(d, obs, planned, () -> observer.paths(d, known));
        }
      } else {
        planned.plan().blocked().forEach(outcome::fail);
      }
      (outcome.ok() ? metrics.reconcileOk() : metrics.reconcileFailed()).inc();
      quickBase = QuickLook.Base.after(quick ? base : null, d, obs, whole, outcome.ok(), lookedAt);
      PassReport report = new PassReport(d, obs, planned.plan(), outcome, source.problem(), quick);
      reports.accept(report);
      return report;
    } catch (Exception e) {
      metrics.reconcileFailed().inc();
      log.error("reconcile failed; retrying on the next pass: {}", e.toString());
      return null;
    }
  }

  private Set<String> knownParents() throws IOException {
    if (!Files.exists(parentsFile)) {
      return new LinkedHashSet<>();
    }
    return new LinkedHashSet<>(Files.readAllLines(parentsFile, StandardCharsets.UTF_8).stream()
        .map(String::strip).filter(s -> !s.isEmpty()).toList());
  }

  private void remember(Set<String> known, Set<String> used) throws IOException {
    if (known.containsAll(used)) {
      return;
    }
    Set<String> all = new LinkedHashSet<>(known);
    all.addAll(used);
    Files.createDirectories(parentsFile.getParent());
    Files.write(parentsFile, List.copyOf(all), StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** For reports: errors by subject, empty when the pass converged. */
  public static Map<String, String> errors(PassReport r) {
    return r == null ? Map.of("node", "no pass completed") : r.outcome().errors();
  }
}
