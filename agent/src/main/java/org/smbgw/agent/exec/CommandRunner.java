package org.smbgw.agent.exec;

import com.codahale.metrics.Timer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.smbgw.agent.metrics.AgentMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs external programs. Thread-safe; any thread may call it. Every call has a timeout after
 * which the process and its descendants are killed; stdout and stderr are drained concurrently
 * so a chatty program cannot block; a non-zero exit becomes a {@link CommandFailedException}.
 */
public final class CommandRunner implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);
  private static final int MAX_CAPTURE = 64 << 20;

  private final AgentMetrics metrics;
  private final Duration defaultTimeout;
  private final ExecutorService drains;
  private volatile FaultInjector faults = FaultInjector.NONE;
  /** Told before every program starts, on the caller's thread (the watchdog's progress). */
  private volatile Runnable starting = () -> { };

  public CommandRunner(AgentMetrics metrics, Duration defaultTimeout) {
    this.metrics = metrics;
    this.defaultTimeout = defaultTimeout;
    AtomicInteger n = new AtomicInteger();
    // As a cached pool, but an idle thread ends after 5 s rather than 60: a pass every 30 s would
    // otherwise keep a pair per program it ran at once (8 with the observer's four), each with
    // its stack, for the whole time between passes (issue 16).
    this.drains = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 5, TimeUnit.SECONDS,
        new SynchronousQueue<>(), r -> {
          Thread t = new Thread(r, "smbgw-exec-drain-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** Test seam: installs a fault injector consulted before every command. */
  public void setFaultInjector(FaultInjector injector) {
    this.faults = injector == null ? FaultInjector.NONE : injector;
  }

  /** Runs to completion; a non-zero exit is a failure. */
  public CommandResult run(Command command) throws CommandFailedException {
    CommandResult r = runAllowingFailure(command);
    if (!r.succeeded()) {
      metrics.commandFailures(command.tool()).inc();
      throw new CommandFailedException(command, r.exitCode(), r.stderr(), "exited with " + r.exitCode());
    }
    return r;
  }

  /** Sets what is told, on the calling thread, before each program starts. */
  public void onStart(Runnable listener) {
    this.starting = listener;
  }

  /**
   * Runs to completion and returns whatever exit code the program gave. Still throws when the
   * program could not be started or timed out.
   */
  public CommandResult runAllowingFailure(Command command) throws CommandFailedException {
    return execute(command, null);
  }

  /**
   * As {@link #runAllowingFailure}, but what the program reads on stdin is asked of {@code input}
   * only once the program has been started (exec'd), on the calling thread, just before it is
   * written. For input that is stale the moment it is computed (a kernel address lifetime counts
   * from when the kernel gets it): starting a program takes milliseconds, and a caller stopped in
   * between (SIGSTOP, a long pause) would otherwise hand over on resuming what it computed before
   * it stopped. What is left is the program's own start-up until it reads (its process, which a
   * stop of the caller does not hold up) and the write itself. Not asked when the program cannot
   * be started; a supplier that fails kills the program and fails the call.
   */
  public CommandResult runFeeding(Command command, Supplier<byte[]> input)
      throws CommandFailedException {
    if (command.stdinBytes() != null) {
      throw new IllegalArgumentException("a command fed once running has no stdin of its own: " + command);
    }
    return execute(command, Objects.requireNonNull(input));
  }

  private CommandResult execute(Command command, Supplier<byte[]> late) throws CommandFailedException {
    faults.beforeRun(command);
    starting.run();
    Duration timeout = command.timeout() != null ? command.timeout() : defaultTimeout;
    metrics.commandsStarted().inc();
    long start = System.nanoTime();
    Process p = null;
    try (Timer.Context ignored = metrics.command(command.tool()).time()) {
      ProcessBuilder pb = new ProcessBuilder(command.argv());
      withoutSystemdSockets(pb).environment().putAll(command.environment());
      byte[] input = command.stdinBytes();
      if (input == null && late == null) {
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
      }
      Process started;
      try {
        started = pb.start();
      } catch (IOException e) {
        metrics.commandFailures(command.tool()).inc();
        throw new CommandFailedException(command, -1, e.getMessage(), "could not start");
      }
      p = started;
      Future<byte[]> out = drains.submit(() -> drain(started.getInputStream()));
      Future<byte[]> err = drains.submit(() -> drain(started.getErrorStream()));
      if (late != null) {
        try {
          input = Objects.requireNonNull(late.get(), "the input of " + command);
        } catch (RuntimeException | Error e) {
          kill(started);
          metrics.commandFailures(command.tool()).inc();
          throw e;
        }
      }
      if (input != null) {
        try (OutputStream stdin = p.getOutputStream()) {
          stdin.write(input);
        } catch (IOException e) {
          // The program closed stdin early; its exit code and stderr tell the story.
        } finally {
          java.util.Arrays.fill(input, (byte) 0);
        }
      }
      boolean exited = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (!exited) {
        kill(p);
        metrics.commandFailures(command.tool()).inc();
        throw new CommandFailedException.Timeout(command, timeout, text(err, Duration.ofSeconds(1)));
      }
      CommandResult r = new CommandResult(command, p.exitValue(), text(out, timeout), text(err, timeout),
          Duration.ofNanos(System.nanoTime() - start));
      if (log.isDebugEnabled()) {
        log.debug("{} -> {} in {} ms", command, r.exitCode(), r.elapsed().toMillis());
      }
      return r;
    } catch (InterruptedException e) {
      // The caller is shutting down: the program must not outlive it.
      if (p != null) {
        kill(p);
      }
      Thread.currentThread().interrupt();
      throw new CommandFailedException(command, -1, "", "interrupted");
    }
  }

  /**
   * Starts a long-running program (a supervised daemon) with stdout and stderr appended to
   * {@code logFile}. The caller owns the returned process and must stop it.
   */
  public Process start(Command command, Path logFile) throws CommandFailedException {
    faults.beforeRun(command);
    metrics.commandsStarted().inc();
    ProcessBuilder pb = new ProcessBuilder(command.argv())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    withoutSystemdSockets(pb).environment().putAll(command.environment());
    try {
      return pb.start();
    } catch (IOException e) {
      throw new CommandFailedException(command, -1, e.getMessage(), "could not start");
    }
  }

  /**
   * systemd's notify socket and watchdog are the daemon's own: a program it starts (smbd above all,
   * which speaks sd_notify itself) must not report readiness or pings in its name.
   */
  private static ProcessBuilder withoutSystemdSockets(ProcessBuilder pb) {
    pb.environment().keySet().removeAll(java.util.Set.of("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"));
    return pb;
  }

  /** Kills a process and everything it started, without waiting for them to agree. */
  public static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static byte[] drain(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    int n;
    while ((n = in.read(chunk)) >= 0) {
      if (buf.size() < MAX_CAPTURE) {
        buf.write(chunk, 0, Math.min(n, MAX_CAPTURE - buf.size()));
      }
    }
    return buf.toByteArray();
  }

  private static String text(Future<byte[]> f, Duration wait) {
    try {
      return new String(f.get(Math.max(1000, wait.toMillis()), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    } catch (ExecutionException | TimeoutException e) {
      // A descendant kept the pipe open after the program exited; report what we have not.
      f.cancel(true);
      return "";
    }
  }

  @Override
  public void close() {
    drains.shutdownNow();
  }
}
