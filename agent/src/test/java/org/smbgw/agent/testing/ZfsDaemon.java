package org.smbgw.agent.testing;

import com.codahale.metrics.MetricRegistry;
import java.time.Duration;
import java.util.Optional;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/**
 * The machine's one zfs-fuse daemon, killed and started again the way {@code scripts/install-deps}
 * starts it. Every pool on the machine loses its mounts while it is down: only for tests that run
 * alone (surefire runs a module's test classes one after another).
 */
public final class ZfsDaemon {
  private static final String PID_FILE = "/var/run/zfs-fuse.pid";

  private ZfsDaemon() {}

  /** SIGKILL, as a crash or the OOM killer would: its mounts stay in the kernel's table, dead. */
  public static void kill() throws Exception {
    Optional<ProcessHandle> daemon = ProcessHandle.allProcesses()
        .filter(p -> p.info().command().map(c -> c.endsWith("/zfs-fuse")).orElse(false)).findFirst();
    if (daemon.isPresent()) {
      daemon.get().destroyForcibly();
      daemon.get().onExit().get();
    }
  }

  /** Starts the daemon (if none runs) and waits until {@code zpool list} answers. */
  public static void start() throws Exception {
    try (CommandRunner r = new CommandRunner(new AgentMetrics(new MetricRegistry()), TestTimeouts.seconds(30))) {
      if (!r.runAllowingFailure(Command.of("pgrep", "-x", "zfs-fuse")).succeeded()) {
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of(PID_FILE));
        r.run(Command.of("/usr/sbin/zfs-fuse", "--pidfile", PID_FILE));
      }
      if (!Eventually.until(Duration.ofSeconds(30), () -> r.runAllowingFailure(Command.of("zpool", "list")),
          x -> x.succeeded()).succeeded()) {
        throw new IllegalStateException("zfs-fuse did not answer after starting it");
      }
    }
  }
}
