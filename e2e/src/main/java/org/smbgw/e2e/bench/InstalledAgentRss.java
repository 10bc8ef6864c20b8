package org.smbgw.e2e.bench;

import static org.smbgw.e2e.bench.Bench.figure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.testing.FreePorts;

/**
 * The installed agent, started as its unit's ExecStart line would ({@code /usr/bin/smbgw-agent},
 * which reads its JVM options from /etc/default/smbgw-agent), serving 100 shares in single-node
 * mode with its own smbd on loopback; the resident memory of its JVM sampled every minute and
 * reported at two times (10 and 30 minutes by default).
 */
final class InstalledAgentRss {
  private static final int SHARES = 100;

  private final CommandRunner runner;
  private final Path dir;
  private final int[] minutes;

  InstalledAgentRss(CommandRunner runner, Path dir, int[] minutes) {
    this.runner = runner;
    this.dir = dir;
    this.minutes = minutes.clone();
  }

  void run() throws Exception {
    Files.createDirectories(dir);
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    String user = "pkgrss" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    Files.writeString(dir.resolve("shares.yaml"), AgentBench.user(user)
        + AgentBench.directoryShares(user, data, 0, SHARES));
    Path config = dir.resolve("agent.yaml");
    // As a node runs it but for the sandbox: metrics on (on loopback), the default resync interval.
    int[] ports = FreePorts.distinct(2); // metrics, the sandbox smbd
    Files.writeString(config, "node: bench\nstateDir: " + dir.resolve("state") + "\ndesiredStateFile: "
        + dir.resolve("shares.yaml") + "\ndirectoryRoots: [" + data + "]\nmetrics: {listen: \"127.0.0.1:"
        + ports[0] + "\"}\nsandbox: {port: " + ports[1] + "}\n");
    runner.run(PackageBench.asUnit("/usr/bin/smbgw-agent", "check-config", config.toString()));
    long started = System.nanoTime();
    Process agent = runner.start(PackageBench.asUnit("/usr/bin/smbgw-agent", "run", "-c", config.toString()),
        dir.resolve("agent.log"));
    try {
      if (!converged(agent, Duration.ofMinutes(5))) {
        System.out.println("# agent.rss_100_installed not measured: the agent did not serve " + SHARES
            + " shares within 5 minutes (see " + dir.resolve("agent.log") + ")");
        return;
      }
      System.out.println("# agent.rss_100: " + String.join(" ", Files.readString(Path.of("/proc", Long.toString(agent.pid()),
          "cmdline"), StandardCharsets.UTF_8).split("\0")) + ", " + SHARES + " shares on directory storage");
      Map<Integer, Double> mb = new HashMap<>();
      for (int minute = 1; minute <= minutes[1]; minute++) {
        long due = started + Duration.ofMinutes(minute).toNanos();
        long wait = due - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
        if (!agent.isAlive()) {
          System.out.println("# agent.rss_100_installed not measured: the agent exited with " + agent.exitValue());
          return;
        }
        Map<String, Long> status = procStatus(agent.pid());
        System.out.printf("# agent.rss_100 at %d min: %.1f MB (anon %.1f, file %.1f), %d threads%n", minute,
            status.get("VmRSS") / 1024.0, status.get("RssAnon") / 1024.0, status.get("RssFile") / 1024.0,
            status.get("Threads"));
        mb.put(minute, status.get("VmRSS") / 1024.0);
      }
      if (minutes[0] != 10 || minutes[1] != 30) {
        System.out.printf("# agent.rss_100_installed at %d and agent.rss_100_after_30min at %d minutes "
            + "(SMBGW_PACKAGE_MINUTES), not 10 and 30%n", minutes[0], minutes[1]);
      }
      double first = mb.get(minutes[0]);
      double second = mb.get(minutes[1]);
      System.out.printf("# agent.rss_100_after_30min: %+.1f %% of agent.rss_100_installed (goal: within 5 %%)%n",
          100 * (second - first) / first);
      figure("agent.rss_100_installed", first, "MB");
      figure("agent.rss_100_after_30min", second, "MB");
    } finally {
      PackageBench.stop(agent);
      runner.runAllowingFailure(Command.of("userdel", user));
    }
  }

  /** Waits until status.json says every share is active. */
  private boolean converged(Process agent, Duration within) throws Exception {
    Path status = dir.resolve("state").resolve("status.json");
    ObjectMapper json = new ObjectMapper();
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline && agent.isAlive()) {
      if (Files.exists(status)) {
        try {
          JsonNode shares = json.readTree(status.toFile()).path("shares");
          long active = 0;
          for (JsonNode s : shares) {
            active += "SHARE_STATE_ACTIVE".equals(s.path("state").asText()) ? 1 : 0;
          }
          if (active == SHARES) {
            return true;
          }
        } catch (java.io.IOException e) {
          // Read while being replaced: look again.
        }
      }
      Thread.sleep(500);
    }
    return false;
  }

  /** The kB and count fields of /proc/PID/status (VmRSS, RssAnon, RssFile, Threads ...). */
  static Map<String, Long> procStatus(long pid) throws java.io.IOException {
    Map<String, Long> fields = new HashMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      int colon = line.indexOf(':');
      String value = line.substring(colon + 1).strip().replaceFirst(" kB$", "");
      if (colon > 0 && value.matches("\\d+")) {
        fields.put(line.substring(0, colon), Long.parseLong(value));
      }
    }
    return fields;
  }
}
