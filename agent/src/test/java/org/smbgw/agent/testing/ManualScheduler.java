package org.smbgw.agent.testing;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.Executors;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A scheduler whose time moves only when a test says so (after grpc-java's {@code FakeClock}).
 * {@link #execute} runs the task at once on the caller's thread (queued behind the task running,
 * if any, so that tasks never nest); scheduled tasks run in time order inside {@link #advance}.
 * {@link #nanoTime()} is the ticker to hand to the code under test. One test thread only.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {
  private long now = 1_000_000_000_000L; // far from 0, so that code cannot rely on a zero start
  private long seq;
  private final PriorityQueue<Task<?>> timers = new PriorityQueue<>();
  private final Deque<Runnable> ready = new ArrayDeque<>();
  private boolean running;
  private boolean shutdown;

  public long nanoTime() {
    return now;
  }

  /**
   * Moves time forward by {@code d}, running every timer that falls due on the way, in order. A
   * task may call this itself (the process stopped in the middle of it): time moves on, and what
   * fell due meanwhile runs after that task, as it would on resuming. Time never goes back.
   */
  public void advance(Duration d) {
    long target = now + d.toNanos();
    while (!timers.isEmpty() && timers.peek().at <= target) {
      Task<?> t = timers.poll();
      now = Math.max(now, t.at);
      if (!t.isCancelled()) {
        ready.add(t);
        drain();
      }
    }
    now = Math.max(now, target);
  }

  /** Moves time forward in steps of {@code step} until {@code d} has passed. */
  public void advance(Duration d, Duration step) {
    for (long left = d.toNanos(); left > 0; left -= step.toNanos()) {
      advance(Duration.ofNanos(Math.min(left, step.toNanos())));
    }
  }

  private void drain() {
    if (running) {
      return;
    }
    running = true;
    try {
      Runnable r;
      while ((r = ready.poll()) != null) {
        r.run();
      }
    } finally {
      running = false;
    }
  }

  @Override
  public void execute(Runnable command) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    ready.add(command);
    drain();
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    private long at;
    private final long period; // 0: once; >0: fixed delay
    private final long order = seq++;

    Task(Callable<V> c, long at, long period) {
      super(c);
      this.at = at;
      this.period = period;
    }

    @Override
    public void run() {
      if (period == 0) {
        super.run();
      } else if (runAndReset()) {
        at = now + period;
        timers.add(this);
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(at - now, TimeUnit.NANOSECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task<?> t = (Task<?>) o;
      return at != t.at ? Long.compare(at, t.at) : Long.compare(order, t.order);
    }
  }

  private <V> ScheduledFuture<V> add(Callable<V> c, long delay, long period, TimeUnit unit) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
    }
    Task<V> t = new Task<>(c, now + unit.toNanos(delay), unit.toNanos(period));
    timers.add(t);
    return t;
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(Executors.callable(command), delay, 0, unit);
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(callable, delay, 0, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(Executors.callable(command), initialDelay, period, unit);
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(Executors.callable(command), initialDelay, delay, unit);
  }

  @Override
  public void shutdown() {
    shutdown = true;
  }

  @Override
  public List<Runnable> shutdownNow() {
    shutdown = true;
    timers.clear();
    return List.of();
  }

  @Override
  public boolean isShutdown() {
    return shutdown;
  }

  @Override
  public boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return shutdown;
  }
}
