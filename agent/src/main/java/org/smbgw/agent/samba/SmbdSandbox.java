package org.smbgw.agent.samba;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An smbd of the agent's own, for demos and tests: bound to one address and port, with every
 * state directory private to {@code dir}. A supervisor thread restarts it when it exits. An smbd
 * left running by an earlier agent (killed, say) is adopted rather than restarted, so clients
 * are not interrupted.
 */
public final class SmbdSandbox implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SmbdSandbox.class);
  private enum State { NEW, RUNNING, CLOSED }

  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path dir;
  private final String address;
  private final int port;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final AtomicReference<ProcessHandle> current = new AtomicReference<>();
  private Thread supervisor;

  public SmbdSandbox(CommandRunner runner, SambaTools tools, Path dir, String address, int port) {
    this.runner = runner;
    this.tools = tools;
    this.dir = dir;
    this.address = address;
    this.port = port;
  }

  public Path smbConf() {
    return dir.resolve("smb.conf");
  }

  public Path include() {
    return dir.resolve("shares.conf");
  }

  public Path privateDir() {
    return dir.resolve("private");
  }

  public int port() {
    return port;
  }

  /** Writes the sandbox's smb.conf, hooked in as the agent would hook into an administrator's. */
  public void writeConfig() throws IOException {
    for (String d : new String[] {"run", "lock", "state", "cache", "private", "ncalrpc", "log"}) {
      Files.createDirectories(dir.resolve(d));
    }
    String conf = "# smbgw sandbox: a private smbd on " + address + ":" + port + "\n"
        + "[global]\n"
        + "\tserver role = standalone server\n"
        + "\tsmb ports = " + port + "\n"
        // "0.0.0.0": every address of the network namespace, floating ones added later included
        // (the lab runs one sandbox per node namespace); otherwise only the one address.
        + (everywhere() ? "\tbind interfaces only = no\n"
            : "\tinterfaces = " + address + "\n" + "\tbind interfaces only = yes\n")
        + "\tdisable netbios = yes\n"
        + "\tpid directory = " + dir.resolve("run") + "\n"
        + "\tlock directory = " + dir.resolve("lock") + "\n"
        + "\tstate directory = " + dir.resolve("state") + "\n"
        + "\tcache directory = " + dir.resolve("cache") + "\n"
        + "\tprivate dir = " + dir.resolve("private") + "\n"
        + "\tncalrpc dir = " + dir.resolve("ncalrpc") + "\n"
        + "\tpassdb backend = tdbsam:" + dir.resolve("private/passdb.tdb") + "\n"
        + "\tlog file = " + dir.resolve("log/smbd.log") + "\n"
        + "\tmax log size = 1000\n"
        + "\tload printers = no\n"
        + "\tprinting = bsd\n"
        + "\tprintcap name = /dev/null\n"
        + "\tdisable spoolss = yes\n";
    Files.write(smbConf(), SmbConfHook.forInclude(include()).hooked(List.of(conf.split("\n"))), StandardCharsets.UTF_8);
  }

  /** Starts (or adopts) smbd and returns once it accepts connections. */
  public void start(Duration readyTimeout) throws IOException, CommandFailedException {
    if (!state.compareAndSet(State.NEW, State.RUNNING)) {
      throw new IllegalStateException("sandbox smbd already started or closed");
    }
    writeConfig();
    Optional<ProcessHandle> leftover = leftover();
    if (leftover.isPresent()) {
      log.info("adopting smbd pid {} left running by an earlier agent", leftover.get().pid());
      current.set(leftover.get());
    } else {
      current.set(spawn().toHandle());
    }
    supervisor = new Thread(this::supervise, "smbgw-smbd-supervisor");
    supervisor.setDaemon(true);
    supervisor.start();
    awaitListening(readyTimeout);
  }

  private Process spawn() throws CommandFailedException {
    // Not --no-process-group: when smbd's parent exits it signals its whole process group, which
    // would otherwise be the agent's own (measured: it killed the JVM that supervised it).
    // --log-basename: smbd opens its log before it reads the configuration, by default under
    // /var/log/samba, which is not the sandbox's.
    return runner.start(Command.of(tools.smbd(), "--foreground", "--configfile=" + smbConf(),
        "--log-basename=" + dir.resolve("log")),
        dir.resolve("log/smbd.stdout"));
  }

  /** An smbd whose pid file is ours and whose command line names our smb.conf. */
  private Optional<ProcessHandle> leftover() {
    try {
      Path pidFile = dir.resolve("run/smbd-smb.conf.pid");
      if (!Files.exists(pidFile)) {
        pidFile = dir.resolve("run/smbd.pid");
      }
      long pid = Long.parseLong(Files.readString(pidFile).strip());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
          .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(smbConf().toString())).orElse(false));
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private void supervise() {
    long backoffMs = 500;
    while (state.get() == State.RUNNING) {
      ProcessHandle h = current.get();
      try {
        h.onExit().get();
      } catch (InterruptedException e) {
        break;
      } catch (java.util.concurrent.ExecutionException e) {
        log.warn("waiting for smbd failed", e);
      }
      if (state.get() != State.RUNNING) {
        break;
      }
      log.warn("sandbox smbd (pid {}) exited; restarting in {} ms", h.pid(), backoffMs);
      try {
        Thread.sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 10_000);
        current.set(spawn().toHandle());
      } catch (InterruptedException e) {
        break;
      } catch (CommandFailedException e) {
        log.error("cannot restart smbd: {}", e.getMessage());
      }
    }
  }

  private boolean everywhere() {
    return address.equals("0.0.0.0");
  }

  /** Waits until smbd accepts TCP connections on its port. */
  public void awaitListening(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    IOException last = null;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(everywhere() ? "127.0.0.1" : address, port), 200);
        return;
      } catch (IOException e) {
        last = e;
        try {
          Thread.sleep(50);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted waiting for smbd", ie);
        }
      }
    }
    throw new IOException("smbd did not listen on " + address + ":" + port + " within "
        + timeout.toMillis() + " ms (see " + dir.resolve("log") + ")", last);
  }

  /**
   * Stops smbd and waits until the supervisor's new one listens: smbd reads some things once, at
   * start (the machine's SID), which a reload does not change.
   */
  public void restart(Duration readyTimeout) throws IOException {
    ProcessHandle old = current.get();
    if (state.get() != State.RUNNING || old == null) {
      throw new IllegalStateException("sandbox smbd is not running");
    }
    old.descendants().forEach(ProcessHandle::destroy);
    old.destroy();
    long deadline = System.nanoTime() + readyTimeout.toNanos();
    while (current.get() == old && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for smbd to restart", e);
      }
    }
    if (current.get() == old) {
      throw new IOException("smbd was not started again within " + readyTimeout.toMillis() + " ms");
    }
    awaitListening(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
  }

  /** The running smbd's process, if any (tests kill it to check the supervisor). */
  public Optional<ProcessHandle> process() {
    return Optional.ofNullable(current.get()).filter(ProcessHandle::isAlive);
  }

  /**
   * Stops supervising and terminates smbd and its children, and waits for all of them: a child
   * still serving a client writes to the state directory as it exits, and would bring back a
   * directory its owner has just removed.
   */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.RUNNING) {
      return;
    }
    if (supervisor != null) {
      supervisor.interrupt();
    }
    ProcessHandle h = current.get();
    if (h != null) {
      // Children first, looked for again in case one was forking meanwhile; taken before smbd
      // goes, for its children are no longer its descendants once it has exited.
      List<ProcessHandle> all = new ArrayList<>(h.descendants().toList());
      all.forEach(ProcessHandle::destroy);
      h.descendants().filter(p -> !all.contains(p)).forEach(p -> {
        p.destroy();
        all.add(p);
      });
      all.add(h);
      h.destroy();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      for (ProcessHandle p : all) {
        // Not interruptible: an interrupted close must still not leave a child writing behind it.
        p.onExit().completeOnTimeout(p, Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).join();
        if (p.isAlive()) {
          p.destroyForcibly();
          p.onExit().completeOnTimeout(p, 2, TimeUnit.SECONDS).join();
        }
      }
    }
  }
}
