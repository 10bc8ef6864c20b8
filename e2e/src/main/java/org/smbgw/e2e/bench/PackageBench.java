package org.smbgw.e2e.bench;

import static org.smbgw.e2e.bench.Bench.figure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.TestDirs;

/**
 * {@code scripts/bench package}: the size of each .deb the build made (goal: at most 40 MB each),
 * then the footprint of the installed packages (issue 16). The .debs are installed with dpkg and
 * purged at the end, whatever happens; the daemons run from their installed wrappers in /usr/bin,
 * so with the JVM options of /etc/default/*, in the clean environment systemd gives a unit.
 * <ul>
 *   <li>{@code cli.status_ms}: median wall time of {@code /usr/bin/smbgw status} against the
 *       installed coordinator (single node, embedded ZooKeeper), and {@code jvm.version_ms}: of
 *       {@code java -version}, runs alternating so both see the same machine (goal: the first
 *       within 10 times the second).</li>
 *   <li>{@code agent.rss_100_installed} and {@code agent.rss_100_after_30min}: VmRSS of the
 *       installed agent's JVM (not its smbd) serving 100 shares from a desired-state file, 10 and
 *       30 minutes after it started (goals: at most 64 MB; the second within 5 % of the first).
 *       {@code SMBGW_PACKAGE_MINUTES} (default {@code 10,30}) moves the two samples for a quick
 *       run; the figures keep their names and a comment says when they were taken.</li>
 * </ul>
 * The shares are on directory storage under a temporary directory, not on a zfs-fuse pool: the
 * zfs-fuse daemon is shared with other work on this machine and may be restarted during the half
 * hour, and the JVM's footprint does not depend on which kind of storage a share is on.
 */
final class PackageBench {
  private static final Path DEBS = Path.of("packaging", "target");
  /** What systemd gives a unit: no variables of the shell that started the benchmark. */
  private static final List<String> UNIT_ENVIRONMENT = List.of("env", "-i",
      "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C.UTF-8");

  private PackageBench() {}

  static void run() throws Exception {
    for (String name : InstalledDebs.PACKAGES) {
      Path deb = DEBS.resolve(name + "_all.deb");
      if (!Files.exists(deb)) {
        System.out.println("# package." + name + " not measured: " + deb + " was not built");
        return;
      }
      Bench.figure("package.size." + name, Files.size(deb) / 1e6, "MB");
    }
    int[] minutes = minutes(System.getenv().getOrDefault("SMBGW_PACKAGE_MINUTES", "10,30"));
    int runs = Integer.parseInt(System.getenv().getOrDefault("SMBGW_PACKAGE_CLI_RUNS", "11"));
    Path dir = Files.createTempDirectory("smbgw-package-bench-", TestDirs.TRAVERSABLE);
    try (CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
        Duration.ofMinutes(3))) {
      String present = InstalledDebs.anyInstalled(runner);
      if (present != null) {
        System.out.println("# cli.status_ms, agent.rss_100_installed not measured: " + present
            + " is installed on this machine already (a real installation is not touched)");
        return;
      }
      try (InstalledDebs installed = InstalledDebs.install(runner, DEBS)) {
        cliStartup(runner, dir.resolve("cli"), runs);
        new InstalledAgentRss(runner, dir.resolve("agent"), minutes).run();
      }
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** {@code "10,30"}: two increasing sample times in minutes. */
  static int[] minutes(String spec) {
    int[] m = Arrays.stream(spec.split(",")).map(String::strip).mapToInt(Integer::parseInt).toArray();
    if (m.length != 2 || m[0] < 1 || m[1] <= m[0]) {
      throw new IllegalArgumentException("SMBGW_PACKAGE_MINUTES: two increasing minutes, such as 10,30 (got " + spec + ")");
    }
    return m;
  }

  /** A command as its unit would start it: the installed wrapper in systemd's clean environment. */
  static Command asUnit(String... argv) {
    List<String> all = new ArrayList<>(UNIT_ENVIRONMENT);
    all.addAll(List.of(argv));
    return Command.of(all);
  }

  private static void cliStartup(CommandRunner runner, Path dir, int runs) throws Exception {
    InstalledCoordinator coordinator;
    try {
      coordinator = new InstalledCoordinator(runner, dir);
    } catch (IllegalStateException e) {
      System.out.println("# cli.status_ms not measured: " + e.getMessage());
      return;
    }
    try (coordinator) {
      Command status = coordinator.cli("status");
      Command version = Command.of("java", "-version");
      runner.run(version); // both programs' files in the page cache before the timed runs
      long[] cli = new long[runs];
      long[] jvm = new long[runs];
      for (int i = 0; i < runs; i++) {
        jvm[i] = runner.run(version).elapsed().toNanos();
        CommandResult r = runner.run(status);
        if (!r.stdout().contains(coordinator.leaderLine())) {
          System.out.println("# cli.status_ms not measured: smbgw status answered " + r.stdout().strip());
          return;
        }
        cli[i] = r.elapsed().toNanos();
      }
      double cliMs = median(cli) / 1e6;
      double jvmMs = median(jvm) / 1e6;
      System.out.printf("# cli.status_ms, jvm.version_ms: medians of %d alternating runs of /usr/bin/smbgw status "
          + "(installed coordinator, embedded ZooKeeper) and java -version: the CLI takes %.1f times the bare JVM "
          + "(goal: at most 10)%n", runs, cliMs / jvmMs);
      figure("cli.status_ms", cliMs, "ms");
      figure("jvm.version_ms", jvmMs, "ms");
    }
  }

  static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  /** SIGTERM as systemctl stop sends it, SIGKILL to whatever is left after 30 seconds. */
  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      CommandRunner.kill(p);
    }
  }
}
