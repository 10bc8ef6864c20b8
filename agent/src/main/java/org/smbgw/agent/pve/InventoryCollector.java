package org.smbgw.agent.pve;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.smbgw.agent.control.CoordinatorClient;
import org.smbgw.proto.v1.NodeInventory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the node's inventory on its own thread ({@code smbgw-inventory}), so that programs and
 * file systems that answer slowly never hold up the coordinator session or the lease. The session
 * asks for the latest result whenever it says hello and that asks for a fresh one for the next
 * hello; only the very first hello waits for a result, and at most {@code firstWait}.
 */
public final class InventoryCollector implements CoordinatorClient.Inventories, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(InventoryCollector.class);

  private final Callable<NodeInventory> gather;
  private final Duration firstWait;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "smbgw-inventory");
    t.setDaemon(true);
    return t;
  });
  private final AtomicReference<NodeInventory> latest = new AtomicReference<>();
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean waitedOnce = new AtomicBoolean();
  private final CountDownLatch first = new CountDownLatch(1);

  public InventoryCollector(Callable<NodeInventory> gather, Duration firstWait) {
    this.gather = gather;
    this.firstWait = firstWait;
  }

  /** Starts taking an inventory unless one is being taken. Any thread; returns at once. */
  public void refresh() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    try {
      thread.execute(() -> {
        try {
          latest.set(gather.call());
          first.countDown();
        } catch (Exception e) {
          log.warn("cannot take the node's inventory: {}", e.toString());
        } finally {
          running.set(false);
        }
      });
    } catch (RuntimeException e) {
      running.set(false); // closed
    }
  }

  /** The latest inventory, if one was ever taken. */
  public Optional<NodeInventory> latest() {
    return Optional.ofNullable(latest.get());
  }

  @Override
  public NodeInventory forHello() {
    refresh();
    NodeInventory now = latest.get();
    if (now == null && waitedOnce.compareAndSet(false, true)) {
      try {
        first.await(firstWait.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      now = latest.get();
    }
    if (now == null) {
      log.warn("saying hello without an inventory: none was taken yet");
      return NodeInventory.getDefaultInstance();
    }
    return now;
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
