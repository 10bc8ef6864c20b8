package org.smbgw.agent.pve;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.smbgw.agent.control.CoordinatorClient;
import org.smbgw.proto.v1.NodeInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the node's inventory on its own thread ({@code smbgw-inventory}, made and closed here),
 * so that programs and file systems that answer slowly never hold up the coordinator session or
 * the lease. It looks again every {@code every}; each result goes to {@code ready} (the session
 * sends it on when it differs from what the coordinator has). A hello takes the latest result and
 * starts no gather of its own: right after a replica dies every agent says hello elsewhere at
 * once, and a gather plus a fresh inventory each would only load the replicas then. Only the very
 * first hello waits for a result, and at most {@code firstWait}; a gather still running after a
 * minute is reported once, and no second one is started behind it. Between the periodic looks a
 * cheap check ({@code stale}: storage.cfg edited, say) can ask for one sooner.
 */
public final class InventoryCollector implements CoordinatorClient.Inventories, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InventoryCollector.class);
  private static final long STUCK_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Callable<NodeInventory> gather;
  private final Duration firstWait;
  private final Consumer<NodeInventory> ready;
  private final LongSupplier ticker;
  private final ScheduledExecutorService thread;
  private final AtomicReference<NodeInventory> latest = new AtomicReference<>();
  /** When the running gather started, or -1 when none runs. */
  private final AtomicLong runningSince = new AtomicLong(-1);
  private final AtomicBoolean reportedStuck = new AtomicBoolean();
  private final AtomicBoolean waitedOnce = new AtomicBoolean();
  private final CountDownLatch first = new CountDownLatch(1);

  /**
   * @param gather takes one inventory; must bound its own calls (the collector cannot interrupt a hung one)
   * @param ready told of every inventory taken, on the collector's thread
   */
  public InventoryCollector(Callable<NodeInventory> gather, Duration firstWait, Consumer<NodeInventory> ready,
      LongSupplier ticker) {
    this(gather, firstWait, ready, ticker, Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "smbgw-inventory");
      t.setDaemon(true);
      return t;
    }));
  }

  /** @param thread runs every gather and check (a single thread); closed with the collector */
  public InventoryCollector(Callable<NodeInventory> gather, Duration firstWait, Consumer<NodeInventory> ready,
      LongSupplier ticker, ScheduledExecutorService thread) {
    this.thread = thread;
    this.gather = gather;
    this.firstWait = firstWait;
    this.ready = ready;
    this.ticker = ticker;
  }

  /** Takes an inventory now and every {@code every} after. */
  public void start(Duration every) {
    thread.scheduleWithFixedDelay(this::refresh, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Takes an inventory now and every {@code every} after, and also whenever {@code stale}, asked
   * every {@code checkEvery} on the collector's thread, says the last one no longer holds. A check
   * that throws is logged and asked again next time.
   */
  public void start(Duration every, Duration checkEvery, BooleanSupplier stale) {
    start(every);
    thread.scheduleWithFixedDelay(() -> {
      try {
        if (stale.getAsBoolean()) {
          refresh();
        }
      } catch (RuntimeException e) {
        log.warn("cannot tell whether the node's inventory changed: {}", e.toString());
      }
    }, checkEvery.toMillis(), checkEvery.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The last inventory taken, or null before the first. */
  public NodeInventory latest() {
    return latest.get();
  }

  /** Starts taking an inventory unless one is being taken. Any thread; returns at once. */
  public void refresh() {
    long now = ticker.getAsLong();
    if (!runningSince.compareAndSet(-1, now)) {
      long since = runningSince.get();
      if (since >= 0 && now - since > STUCK_NANOS && reportedStuck.compareAndSet(false, true)) {
        log.warn("the node's inventory has been taking {} s; the coordinators keep the last one",
            (now - since) / 1_000_000_000L);
      }
      return;
    }
    try {
      thread.execute(this::gatherOnce);
    } catch (RejectedExecutionException e) {
      runningSince.set(-1); // closed
    }
  }

  private void gatherOnce() {
    NodeInventory inv = null;
    try {
      inv = gather.call();
    } catch (Exception e) {
      log.warn("cannot take the node's inventory: {}", e.toString());
    } finally {
      // Before the result is seen: whoever sees it may ask for the next one at once.
      runningSince.set(-1);
      reportedStuck.set(false);
    }
    if (inv != null) {
      // Handed on before it is the latest: a session between streams holds back what it is handed
      // and sends it after the next hello only if that hello's (the latest then) differs, so what
      // it holds back is never older than what the hello carries.
      ready.accept(inv);
      latest.set(inv);
      first.countDown();
    }
  }

  @Override
  public NodeInventory forHello() {
    NodeInventory now = latest.get();
    if (now == null && waitedOnce.compareAndSet(false, true)) {
      refresh(); // unless start() already began the first
      try {
        first.await(firstWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      now = latest.get();
    }
    if (now == null) {
      log.warn("saying hello without an inventory: none was taken yet; it follows when ready");
      return NodeInventory.getDefaultInstance();
    }
    return now;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
