package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.TestDirs;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;

/**
 * The agent is a separate JVM, SIGKILLed while it creates shares. Clients must only ever reach
 * fully configured shares; a restarted agent adopts the smbd that kept running and converges.
 */
class KilledMidApplyConvergesTest {
  private static final String PASSWORD = "K1lled-mid-apply";

  @Test
  void sigkillDuringApplyLeavesNothingHalfVisibleAndARestartConverges() throws Exception {
    Path dir = Files.createTempDirectory("smbgw-kill-", TestDirs.TRAVERSABLE);
    String user = "kil" + Long.toHexString(System.nanoTime() & 0xffff);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("agent.yaml");
    Path desired = dir.resolve("shares.yaml");
    Files.writeString(config, "node: killtest\nstateDir: " + dir.resolve("state") + "\ndesiredStateFile: "
        + desired + "\nunixGroup: smbgwtest\nresyncSeconds: 3600\nsandbox: {port: " + port + "}\n");
    Process agent = null;
    try (ZfsPool pool = new ZfsPool("sgk", 256L << 20); SmbClient client = new SmbClient("127.0.0.1", port)) {
      Files.writeString(desired, shares(user, pool.name(), 0, 10));
      assertEquals(0, runOnce(config, dir), "first batch converges");

      Files.writeString(desired, shares(user, pool.name(), 0, 80));
      agent = start(config, dir);
      Path audit = dir.resolve("state/audit.log");
      long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
      while (creates(audit) < 20 && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      agent.destroyForcibly().waitFor(); // SIGKILL
      int created = creates(audit);
      Set<String> visible = IncludeRenderer.sections(Files.readString(dir.resolve("state/samba/shares.conf"))).keySet();
      assertTrue(created >= 20 && visible.size() < 80,
          "the kill must land mid-apply (created " + created + ", published " + visible.size() + ")");

      // Every published share is complete: reachable and writable. Unpublished ones are absent.
      Path probe = client.localFile("probe.txt");
      Files.writeString(probe, "probe");
      for (String share : visible) {
        CommandResult r = client.run(share, user, PASSWORD, "put " + probe + " probe.txt");
        assertEquals(0, r.exitCode(), share + ": " + SmbClient.output(r));
      }
      CommandResult absent = client.run("s79", user, PASSWORD, "ls");
      assertTrue(SmbClient.output(absent).contains("NT_STATUS_BAD_NETWORK_NAME"), SmbClient.output(absent));

      assertEquals(0, runOnce(config, dir), "a restarted agent converges");
      Set<String> after = IncludeRenderer.sections(Files.readString(dir.resolve("state/samba/shares.conf"))).keySet();
      assertEquals(80, after.size());
      // runOnce stopped smbd on exit; start a supervised one again to check from a client.
      agent = start(config, dir);
      for (String share : List.of("s0", "s40", "s79")) {
        CommandResult r = org.smbgw.agent.testing.Eventually.until(Duration.ofSeconds(20),
            () -> client.run(share, user, PASSWORD, "put " + probe + " probe.txt"), x -> x.exitCode() == 0);
        assertEquals(0, r.exitCode(), share + ": " + SmbClient.output(r));
      }
    } finally {
      if (agent != null) {
        agent.destroy();
        agent.waitFor();
      }
      killLeftoverSmbd(dir);
      new ProcessBuilder("userdel", user).start().waitFor();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static String shares(String user, String parent, int from, int to) {
    StringBuilder b = new StringBuilder("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user
        + "}\nspec: {ntHash: " + NtHash.of(PASSWORD.toCharArray()) + "}\n");
    for (int i = from; i < to; i++) {
      b.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: s").append(i)
          .append("}\nspec:\n  storage: {zfs: {parent: ").append(parent)
          .append("}}\n  quota: 8M\n  write: {users: [").append(user).append("]}\n");
    }
    return b.toString();
  }

  private static int creates(Path audit) throws Exception {
    if (!Files.exists(audit)) {
      return 0;
    }
    return (int) Files.readAllLines(audit).stream()
        .filter(l -> l.contains("\"apply\"") && l.contains("create dataset")).count();
  }

  private static Process start(Path config, Path dir, String... extra) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(), "run", "-c", config.toString()));
    cmd.addAll(List.of(extra));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
  }

  private static int runOnce(Path config, Path dir) throws Exception {
    Process p = start(config, dir, "--once");
    return p.waitFor();
  }

  private static void killLeftoverSmbd(Path dir) {
    ProcessHandle.allProcesses()
        .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(dir.toString())).orElse(false))
        .forEach(h -> {
          h.descendants().forEach(ProcessHandle::destroyForcibly);
          h.destroyForcibly();
        });
  }
}
