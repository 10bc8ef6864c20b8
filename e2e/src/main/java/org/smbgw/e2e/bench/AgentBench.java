package org.smbgw.e2e.bench;

import static org.smbgw.e2e.bench.Bench.figure;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.TestDirs;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;

/**
 * The agent at scale on real zfs-fuse and smbd: 1,000 shares from empty, a no-op reconcile at
 * 1,000, and the resident memory of an agent JVM (production flags) serving 100 shares.
 */
final class AgentBench {
  private AgentBench() {}

  static void run() throws Exception {
    try (ZfsPool pool = new ZfsPool("sgb", 2L << 30); SandboxAgent node = new SandboxAgent().start()) {
      String user = node.user("bench");
      // zfs-fuse's FUSE listener mounts at most 999 file systems, so the last ten of the 1,000
      // shares are on directory storage.
      node.desire(shares(user, pool.name(), 990) + directoryShares(user, node.directoryRoot(), 990, 1000));
      System.out.println("# agent.apply_1000: 990 shares on zfs-fuse datasets, 10 on directories "
          + "(zfs-fuse mounts at most 999 file systems)");
      AgentMetrics m = node.agent().metrics();
      long calls = m.commandsStarted().getCount();
      long reloads = m.smbdReloads().getCount();
      long start = System.nanoTime();
      Reconciler.PassReport first = node.reconcile();
      double seconds = (System.nanoTime() - start) / 1e9;
      if (!first.outcome().ok()) {
        System.out.println("agent.apply_1000 not measured: the pass failed: " + first.outcome().errors());
        return;
      }
      Reconciler.PassReport check = node.reconcile();
      if (!check.plan().isEmpty()) {
        System.out.println("agent.apply_1000 not measured: a second pass still had " + check.plan().size() + " steps");
        return;
      }
      figure("agent.apply_1000", seconds, "s");
      figure("agent.apply_1000_reloads", m.smbdReloads().getCount() - reloads, "count");
      figure("agent.apply_1000_external_calls", m.commandsStarted().getCount() - calls, "count");

      long[] noop = new long[7];
      for (int i = 0; i < noop.length; i++) {
        long c0 = m.commandsStarted().getCount();
        long t = System.nanoTime();
        Reconciler.PassReport r = node.reconcile();
        noop[i] = System.nanoTime() - t;
        if (!r.plan().isEmpty()) {
          System.out.println("agent.noop_reconcile_1000 not measured: the pass planned " + r.plan().size() + " steps");
          return;
        }
        if (i == 0) {
          figure("agent.noop_reconcile_1000_external_calls", m.commandsStarted().getCount() - c0, "count");
        }
      }
      Arrays.sort(noop);
      figure("agent.noop_reconcile_1000", noop[noop.length / 2] / 1e6, "ms");
      // The floor under the figure above: the one zfs get a pass makes, timed on its own.
      System.out.println("# agent.noop_reconcile_1000_zfs_get: the one zfs get -Hp -r of a pass over those datasets, timed alone");
      long[] get = new long[5];
      for (int i = 0; i < get.length; i++) {
        long t = System.nanoTime();
        pool.zfs("get", "-Hp", "-r", "-o", "name,property,value",
            "type,quota,used,available,mountpoint,mounted,org.smbgw:share,org.smbgw:state", pool.name());
        get[i] = System.nanoTime() - t;
      }
      Arrays.sort(get);
      figure("agent.noop_reconcile_1000_zfs_get", get[get.length / 2] / 1e6, "ms");
    }
    rss100();
  }

  /** A separate agent JVM, with the flags the demo and packages use, serving 100 shares. */
  private static void rss100() throws Exception {
    Path dir = Files.createTempDirectory("smbgw-bench-", TestDirs.TRAVERSABLE);
    int port = org.smbgw.common.testing.FreePorts.one();
    String user = "rss" + Long.toHexString(System.nanoTime() & 0xffff);
    Process agent = null;
    try (ZfsPool pool = new ZfsPool("sgr", 512L << 20)) {
      Files.writeString(dir.resolve("shares.yaml"), shares(user, pool.name(), 100));
      Files.writeString(dir.resolve("agent.yaml"), "node: bench\nstateDir: " + dir.resolve("state")
          + "\ndesiredStateFile: " + dir.resolve("shares.yaml") + "\nunixGroup: smbgwtest\nsandbox: {port: " + port + "}\n");
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(packagedJvmOptions(Path.of(System.getProperty("smbgw.jvmOptions",
          "packaging/src/deb/agent/default"))));
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), "org.smbgw.agent.AgentMain",
          "run", "-c", dir.resolve("agent.yaml").toString()));
      agent = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(dir.resolve("agent.log").toFile()).start();
      Path status = dir.resolve("state/status.json");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (System.nanoTime() < deadline && !(Files.exists(status) && Files.readString(status).contains("appliedGeneration"))) {
        Thread.sleep(200);
      }
      if (!Files.exists(status) || !Files.readString(status).contains("appliedGeneration")) {
        System.out.println("agent.rss_100 not measured: the agent did not converge (see " + dir.resolve("agent.log") + ")");
        return;
      }
      Thread.sleep(3000); // let start-up garbage be collected by a few timer passes
      long kb = Files.readAllLines(Path.of("/proc", Long.toString(agent.pid()), "status")).stream()
          .filter(l -> l.startsWith("VmRSS:")).map(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1L);
      figure("agent.rss_100", kb / 1024.0, "MB");
    } finally {
      if (agent != null) {
        agent.destroy();
        agent.waitFor(30, TimeUnit.SECONDS);
      }
      new ProcessBuilder("userdel", user).start().waitFor();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  static String directoryShares(String user, Path root, int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) {
      b.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: share").append(i)
          .append("}\nspec:\n  storage: {directory: {path: ").append(root.resolve("share" + i))
          .append("}}\n  write: {users: [").append(user).append("]}\n");
    }
    return b.toString();
  }

  /** The User resource the benchmarks' shares give write access to. */
  static String user(String user) {
    return "apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user
        + "}\nspec: {ntHash: " + NtHash.of("bench-password".toCharArray()) + "}\n";
  }

  static String shares(String user, String parent, int n) {
    StringBuilder b = new StringBuilder(user(user));
    for (int i = 0; i < n; i++) {
      b.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: share").append(i)
          .append("}\nspec:\n  storage: {zfs: {parent: ").append(parent)
          .append("}}\n  quota: 64M\n  write: {users: [").append(user).append("]}\n");
    }
    return b.toString();
  }

  /**
   * The JVM options the package ships: the words of the {@code JAVA_OPTS="..."} line of its
   * /etc/default file, so the benchmark runs the agent as an installed node does.
   */
  static List<String> packagedJvmOptions(Path defaults) throws java.io.IOException {
    for (String line : Files.readAllLines(defaults)) {
      if (line.startsWith("JAVA_OPTS=\"") && line.endsWith("\"")) {
        return List.of(line.substring("JAVA_OPTS=\"".length(), line.length() - 1).trim().split("\\s+"));
      }
    }
    throw new IllegalArgumentException(defaults + " has no JAVA_OPTS=\"...\" line");
  }
}
