package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.TestDirs;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;

/**
 * The agent is a separate JVM, SIGKILLed (as systemd's watchdog or the OOM killer would) while a
 * client holds an SMB session on one of its shares, and started again: it adopts the running smbd,
 * the include file and the datasets as they are, runs no step, and the client's session goes on.
 */
class RestartedAgentKeepsClientSessionsTest {
  private static final String PASSWORD = "Rest4rt-keeps";

  @Test
  void aSigkilledAndRestartedAgentRunsNoStepAndTheClientsSessionGoesOn() throws Exception {
    Path dir = Files.createTempDirectory("smbgw-restart-", TestDirs.TRAVERSABLE);
    String user = "rst" + Long.toHexString(System.nanoTime() & 0xffff);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path config = dir.resolve("agent.yaml");
    Path desired = dir.resolve("shares.yaml");
    Path status = dir.resolve("state/status.json");
    Path audit = dir.resolve("state/audit.log");
    Files.writeString(config, "node: restarttest\nstateDir: " + dir.resolve("state") + "\ndesiredStateFile: "
        + desired + "\nunixGroup: smbgwtest\nresyncSeconds: 3600\nsandbox: {port: " + port + "}\n");
    Process agent = null;
    try (ZfsPool pool = new ZfsPool("sgr", 256L << 20); SmbClient client = new SmbClient("127.0.0.1", port)) {
      Files.writeString(desired, "apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
          + NtHash.of(PASSWORD.toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: "
          + "kept}\nspec:\n  storage: {zfs: {parent: " + pool.name() + "}}\n  write: {users: [" + user + "]}\n");
      agent = start(config, dir);
      awaitFile(status, agent);
      Path before = client.localFile("before.txt");
      Files.writeString(before, "before");
      Path after = client.localFile("after.txt");
      Files.writeString(after, "after");

      try (SmbClient.Session session = client.open("kept", user, PASSWORD)) {
        String first = session.command("put " + before + " before.txt", "putting file", Duration.ofSeconds(20));
        assertTrue(first.contains("putting file") && !first.contains("NT_STATUS"), first);
        long smbd = smbdPid(dir);
        long steps = applied(audit);

        agent.destroyForcibly().waitFor(); // SIGKILL
        Files.delete(status);
        agent = start(config, dir);
        awaitFile(status, agent); // the restarted agent's first pass is done

        assertEquals(steps, applied(audit), "a restart runs no step: " + Files.readString(audit));
        assertEquals(smbd, smbdPid(dir), "the running smbd is adopted, not restarted");
        assertTrue(Files.readString(status).contains("SHARE_STATE_ACTIVE"), Files.readString(status));
        String next = session.command("put " + after + " after.txt", "putting file", Duration.ofSeconds(20));
        assertTrue(session.alive() && next.contains("putting file") && !next.contains("NT_STATUS"),
            "the same session goes on: " + next);
        String listed = SmbClient.output(client.run("kept", user, PASSWORD, "ls"));
        assertTrue(listed.contains("before.txt") && listed.contains("after.txt"), listed);
      }
    } finally {
      if (agent != null) {
        agent.destroy();
        agent.waitFor();
      }
      ProcessHandle.allProcesses()
          .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(dir.toString())).orElse(false))
          .forEach(h -> {
            h.descendants().forEach(ProcessHandle::destroyForcibly);
            h.destroyForcibly();
          });
      new ProcessBuilder("userdel", user).start().waitFor();
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Lines of the audit trail that record an applied step. */
  private static long applied(Path audit) throws Exception {
    return Files.readAllLines(audit).stream().filter(l -> l.contains("\"apply\"")).count();
  }

  private static long smbdPid(Path dir) throws Exception {
    try (var files = Files.list(dir.resolve("state/samba/run"))) {
      Path pid = files.filter(f -> f.getFileName().toString().startsWith("smbd") && f.toString().endsWith(".pid"))
          .findFirst().orElseThrow();
      return Long.parseLong(Files.readString(pid).strip());
    }
  }

  private static void awaitFile(Path file, Process agent) throws Exception {
    long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
    while (!Files.exists(file) && agent.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertTrue(Files.exists(file), file + " was not written; the agent " + (agent.isAlive() ? "is still starting"
        : "exited with " + agent.exitValue()));
  }

  private static Process start(Path config, Path dir) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(), "run", "-c", config.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
  }
}
