package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.testing.TestDirs;

/**
 * The agent under systemd's protocol, with a real notify socket ({@code socat} receiving
 * datagrams where systemd would): READY=1 with a STATUS= line once it serves, WATCHDOG=1 at half
 * the watchdog interval while its loops make progress, and no more pings once the reconcile loop
 * stands still (the test seam {@code smbgw.test.stallReconcileWhile}, a system property no
 * configuration file reaches) for longer than its command timeout.
 */
class SystemdNotifyTest {
  @Test
  void readyStatusAndWatchdogPingsThatStopWhenTheReconcileLoopStandsStill() throws Exception {
    Path dir = Files.createTempDirectory("smbgw-notify-", TestDirs.TRAVERSABLE);
    Process socat = null;
    Process agent = null;
    ByteArrayOutputStream heard = new ByteArrayOutputStream();
    try {
      int port = org.smbgw.common.testing.FreePorts.one();
      Path socket = dir.resolve("notify");
      Path stall = dir.resolve("stall");
      Path config = dir.resolve("agent.yaml");
      // No desired-state file at all, as right after installing: the agent still becomes ready.
      Files.writeString(config, "node: notifytest\nstateDir: " + dir.resolve("state") + "\ndesiredStateFile: "
          + dir.resolve("shares.yaml") + "\nunixGroup: smbgwtest\nresyncSeconds: 1\ncommandTimeoutSeconds: 1\n"
          + "metrics: {listen: \"\"}\nsandbox: {port: " + port + "}\n");
      socat = new ProcessBuilder("socat", "-u", "UNIX-RECV:" + socket, "-").redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      InputStream in = socat.getInputStream();
      Thread reader = new Thread(() -> {
        byte[] buf = new byte[4096];
        int n;
        try {
          while ((n = in.read(buf)) >= 0) {
            synchronized (heard) {
              heard.write(buf, 0, n);
            }
          }
        } catch (java.io.IOException e) {
          // socat gone
        }
      });
      reader.setDaemon(true);
      reader.start();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (!Files.exists(socket) && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Dsmbgw.test.stallReconcileWhile=" + stall, "-cp", System.getProperty("java.class.path"),
          AgentMain.class.getName(), "run", "-c", config.toString()));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile()));
      pb.environment().put("NOTIFY_SOCKET", socket.toString());
      pb.environment().put("WATCHDOG_USEC", "400000"); // pings every 200 ms
      agent = pb.start();

      deadline = System.nanoTime() + 60_000_000_000L;
      while (!text(heard).contains("READY=1") && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      int pings = count(heard, "WATCHDOG=1");
      Thread.sleep(1000);
      String text = text(heard);
      assertTrue(text.contains("READY=1\nSTATUS=serving: 0 of 0 share(s) active"), "no READY=1 with a status: " + text
          + log(dir));
      assertTrue(count(heard, "WATCHDOG=1") >= pings + 3, "pings every 200 ms: " + text);
      assertTrue(!text.contains("smbd"), "smbd spoke on the agent's notify socket: " + text);

      Files.writeString(stall, "");
      Thread.sleep(1000 + 10_000 + 2000); // the next pass stands still; patience is the 1 s timeout + 10 s
      int before = count(heard, "WATCHDOG=1");
      Thread.sleep(2000);
      assertEquals(before, count(heard, "WATCHDOG=1"), "pings went on while the reconcile loop stood still");

      Files.delete(stall);
      deadline = System.nanoTime() + 10_000_000_000L;
      while (count(heard, "WATCHDOG=1") == before && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(count(heard, "WATCHDOG=1") > before, "pings did not come back with progress");

      agent.destroy(); // SIGTERM, as systemctl stop
      agent.waitFor();
      Thread.sleep(200);
      assertTrue(text(heard).contains("STOPPING=1"), text(heard));
    } finally {
      if (agent != null) {
        agent.destroyForcibly().waitFor();
      }
      // An agent killed before its shutdown hook ran leaves its sandbox smbd behind.
      ProcessHandle.allProcesses()
          .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(dir.toString())).orElse(false))
          .forEach(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
          });
      if (socat != null) {
        socat.destroyForcibly().waitFor();
      }
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String text(ByteArrayOutputStream b) {
    synchronized (b) {
      return b.toString(StandardCharsets.UTF_8);
    }
  }

  private static int count(ByteArrayOutputStream b, String what) {
    String t = text(b);
    int n = 0;
    for (int i = t.indexOf(what); i >= 0; i = t.indexOf(what, i + 1)) {
      n++;
    }
    return n;
  }

  private static String log(Path dir) {
    try {
      return "\n" + Files.readString(dir.resolve("agent.log"));
    } catch (java.io.IOException e) {
      return "";
    }
  }
}
