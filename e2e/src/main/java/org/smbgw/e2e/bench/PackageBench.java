package org.smbgw.e2e.bench;

import static org.smbgw.e2e.bench.Bench.figure;

import java.net.ServerSocket;
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
    Files.createDirectories(dir);
    int port = freePort();
    Path config = dir.resolve("coordinator.yaml");
    // Its PKI made as an administrator would, with the installed smbgw certs.
    Path pki = dir.resolve("pki");
    runner.run(Command.of("/usr/bin/smbgw", "certs", "init", "--dir", pki.toString()));
    runner.run(Command.of("/usr/bin/smbgw", "certs", "issue", "bench", "--dir", pki.toString()));
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\nstateDir: " + dir.resolve("state")
        + "\nsingleNode: true\nembeddedZooKeeperPort: " + freePort() + "\nmetricsListen: \"127.0.0.1:" + freePort() + "\"\n"
        + "tls: {pki: " + pki + ", pveRoot: " + dir.resolve("no-pve") + "}\n");
    Process coordinator = runner.start(asUnit("/usr/bin/smbgw-coordinator", "run", "-c", config.toString()),
        dir.resolve("coordinator.log"));
    try {
      // The first admin token, as root mints it on a coordinator node (once the state exists).
      Path token = dir.resolve("token");
      Command mint = Command.of("/usr/bin/smbgw-coordinator", "create-token", "-c", config.toString(), "--out",
          token.toString());
      long minted = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!runner.runAllowingFailure(mint).succeeded() && System.nanoTime() < minted) {
        Thread.sleep(500);
      }
      Command status = Command.of("/usr/bin/smbgw", "--coordinator", "127.0.0.1:" + port, "--ca",
          pki.resolve("ca.pem").toString(), "--token-file", token.toString(), "status");
      Command version = Command.of("java", "-version");
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      CommandResult first = runner.runAllowingFailure(status);
      while (!(first.succeeded() && first.stdout().contains("leader")) && System.nanoTime() < deadline) {
        Thread.sleep(500);
        first = runner.runAllowingFailure(status);
      }
      if (!first.stdout().contains("leader")) {
        System.out.println("# cli.status_ms not measured: the coordinator did not answer within 2 minutes: "
            + first.stderr().strip() + " (" + dir.resolve("coordinator.log") + ")");
        return;
      }
      runner.run(version); // both programs' files in the page cache before the timed runs
      long[] cli = new long[runs];
      long[] jvm = new long[runs];
      for (int i = 0; i < runs; i++) {
        jvm[i] = runner.run(version).elapsed().toNanos();
        CommandResult r = runner.run(status);
        if (!r.stdout().contains("leader")) {
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
    } finally {
      stop(coordinator);
    }
  }

  static long median(long[] values) {
    long[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[sorted.length / 2];
  }

  static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** SIGTERM as systemctl stop sends it, SIGKILL to whatever is left after 30 seconds. */
  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
      CommandRunner.kill(p);
    }
  }
}
