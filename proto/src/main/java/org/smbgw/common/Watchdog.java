package org.smbgw.common;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Keeps systemd informed on its own thread ({@code smbgw-watchdog}, made and closed here):
 * {@code READY=1} once the daemon says it serves, a {@code STATUS=} line when it changes, and
 * {@code WATCHDOG=1} at half the watchdog interval, but only while the daemon's loops make
 * progress; when they stop, the pings stop and systemd restarts the daemon.
 */
public final class Watchdog implements AutoCloseable {
  private final SdNotify notify;
  private final BooleanSupplier ready;
  private final BooleanSupplier alive;
  private final Supplier<String> status;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-watchdog");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean started = new AtomicBoolean();
  private boolean announced;
  private String lastStatus = "";

  public Watchdog(SdNotify notify, BooleanSupplier ready, BooleanSupplier alive, Supplier<String> status) {
    this.notify = notify;
    this.ready = ready;
    this.alive = alive;
    this.status = status;
  }

  /**
   * Starts looking every {@code every} (readiness, status); pings every half of
   * {@code watchdogMicros} when that is set.
   */
  public void start(Duration every, OptionalLong watchdogMicros) {
    if (!notify.active() || !started.compareAndSet(false, true)) {
      return;
    }
    thread.scheduleWithFixedDelay(this::look, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    watchdogMicros.ifPresent(usec -> thread.scheduleAtFixedRate(this::ping, 0, Math.max(1, usec / 2), TimeUnit.MICROSECONDS));
  }

  private void ping() {
    try {
      if (alive.getAsBoolean()) {
        notify.watchdog();
      }
    } catch (RuntimeException e) {
      // no ping this time; a scheduled task that threw would never run again
    }
  }

  private void look() {
    try {
      lookOnce();
    } catch (RuntimeException e) {
      // the next look tries again
    }
  }

  private void lookOnce() {
    if (!announced && ready.getAsBoolean()) {
      announced = true; // asked before the status, so that the status says what READY means
      lastStatus = status.get();
      notify.ready(lastStatus);
      return;
    }
    String now = status.get();
    if (!now.equals(lastStatus)) {
      notify.status(now);
      lastStatus = now;
    }
  }

  /** Says the daemon is stopping, then stops pinging. */
  public void stopping(String why) {
    thread.shutdownNow();
    notify.stopping(why);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
