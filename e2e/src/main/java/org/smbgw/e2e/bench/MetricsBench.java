package org.smbgw.e2e.bench;

import static org.smbgw.e2e.bench.Bench.figure;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.ShareStatus;

/**
 * The agent's Prometheus endpoint at scale (1,000 shares, 200 live SMB sessions) and the CPU the
 * agent spends observing a steady node every 15 s (smbstatus, pdbedit, stats, status).
 */
final class MetricsBench {
  private static final int SHARES = 1000;
  private static final int SESSIONS = 200;

  private MetricsBench() {}

  static void run() throws Exception {
    List<Process> sessions = new ArrayList<>();
    try (SandboxAgent node = new SandboxAgent().looping(15)) {
      node.start();
      String user = node.user("mb");
      String password = "metrics-bench";
      StringBuilder yaml = new StringBuilder("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user
          + "}\nspec: {ntHash: " + NtHash.of(password.toCharArray()) + "}\n");
      for (int i = 0; i < SHARES; i++) {
        yaml.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: m").append(i)
            .append("}\nspec:\n  storage: {directory: {path: ").append(node.directoryRoot().resolve("m" + i))
            .append("}}\n  write: {users: [").append(user).append("]}\n");
      }
      node.desire(yaml.toString());
      node.reconcile();
      if (!node.reconcile().plan().isEmpty()) {
        System.out.println("metrics.scrape_1000 not measured: the agent did not converge");
        return;
      }
      Path auth = node.dir().resolve("bench.auth");
      Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
      for (int i = 0; i < SESSIONS; i++) {
        sessions.add(new ProcessBuilder("smbclient", "//127.0.0.1/m" + i, "-p", Integer.toString(node.port()),
            "-A", auth.toString(), "-m", "SMB3").redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true).start());
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      int connected = 0;
      while (System.nanoTime() < deadline && connected < SESSIONS) {
        node.reconcile();
        connected = node.agent().status().getSharesList().stream().mapToInt(ShareStatus::getSessions).sum();
        Thread.sleep(500);
      }
      if (connected < SESSIONS * 95 / 100) {
        System.out.println("metrics.scrape_1000 not measured: only " + connected + " of " + SESSIONS + " sessions connected");
        return;
      }
      HttpClient http = HttpClient.newHttpClient();
      HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.agent().metricsPort() + "/metrics")).build();
      long[] times = new long[21];
      int bytes = 0;
      for (int i = 0; i < times.length; i++) {
        long t = System.nanoTime();
        HttpResponse<String> r = http.send(scrape, HttpResponse.BodyHandlers.ofString());
        times[i] = System.nanoTime() - t;
        bytes = r.body().getBytes(StandardCharsets.UTF_8).length;
      }
      Arrays.sort(times);
      System.out.println("# metrics.scrape_1000: median of 21 scrapes of /metrics with " + SHARES + " shares and "
          + connected + " live sessions (" + bytes / 1024 + " KiB of exposition)");
      figure("metrics.scrape_1000", times[times.length / 2] / 1e6, "ms");

      // Steady state: every 15 s a pass observes the node (smbstatus, pdbedit, stats) and nothing changes.
      long ticks = 100; // USER_HZ on Linux
      long[] before = cpu();
      long t0 = System.nanoTime();
      Thread.sleep(60_000);
      long[] after = cpu();
      double seconds = (System.nanoTime() - t0) / 1e9;
      double percent = 100.0 * ((after[0] - before[0]) / (double) ticks) / seconds;
      System.out.println("# metrics.collect_cpu: CPU of the agent (its JVM and the programs it ran) over "
          + Math.round(seconds) + " s of a steady node with " + SHARES + " shares, " + connected
          + " sessions and a 15 s interval, in percent of one core");
      figure("metrics.collect_cpu", percent, "%");
    } finally {
      sessions.forEach(Process::destroy);
    }
  }

  /** utime+stime of this JVM plus cutime+cstime of the children it has reaped, in clock ticks. */
  private static long[] cpu() throws Exception {
    String stat = Files.readString(Path.of("/proc/self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]) + Long.parseLong(f[13]) + Long.parseLong(f[14])};
  }
}
