package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.testing.AgentProcess;
import org.smbgw.agent.testing.SmbClient;
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
    // The pool is closed last: the agent and its smbd, which hold its datasets, are gone by then.
    try (ZfsPool pool = new ZfsPool("sgr", 256L << 20); AgentProcess node = new AgentProcess("smbgw-restart-", "restarttest");
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String user = node.user("rst");
      Path dir = node.dir();
      Path status = dir.resolve("state/status.json");
      Path audit = dir.resolve("state/audit.log");
      Files.writeString(node.desired(), "apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user
          + "}\nspec: {ntHash: " + NtHash.of(PASSWORD.toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\n"
          + "metadata: {name: kept}\nspec:\n  storage: {zfs: {parent: " + pool.name() + "}}\n  write: {users: ["
          + user + "]}\n");
      awaitFile(status, node.start());
      Path before = client.localFile("before.txt");
      Files.writeString(before, "before");
      Path after = client.localFile("after.txt");
      Files.writeString(after, "after");

      try (SmbClient.Session session = client.open("kept", user, PASSWORD)) {
        String first = session.command("put " + before + " before.txt", "putting file", Duration.ofSeconds(20));
        assertTrue(first.contains("putting file") && !first.contains("NT_STATUS"), first);
        long smbd = node.smbdPid();
        long steps = node.appliedSteps();

        node.kill();
        Files.delete(status);
        awaitFile(status, node.start()); // the restarted agent's first pass is done

        assertEquals(steps, node.appliedSteps(), "a restart runs no step: " + Files.readString(audit));
        assertEquals(smbd, node.smbdPid(), "the running smbd is adopted, not restarted");
        assertTrue(Files.readString(status).contains("SHARE_STATE_ACTIVE"), Files.readString(status));
        String next = session.command("put " + after + " after.txt", "putting file", Duration.ofSeconds(20));
        assertTrue(session.alive() && next.contains("putting file") && !next.contains("NT_STATUS"),
            "the same session goes on: " + next);
        String listed = SmbClient.output(client.run("kept", user, PASSWORD, "ls"));
        assertTrue(listed.contains("before.txt") && listed.contains("after.txt"), listed);
      }
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
}
