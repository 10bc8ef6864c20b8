package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.testing.AgentProcess;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.TestDirs;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.tls.TlsConfig;
import org.smbgw.coordinator.Coordinator;
import org.smbgw.coordinator.CoordinatorConfig;

/**
 * The agent as nodes run it, in a cluster: a JVM of its own, attached to a real coordinator, its
 * state and its users' hashes coming from there. SIGKILLed while a client holds an SMB session on
 * a share on the node's ZFS, and started again, it takes up its accepted state and then the
 * coordinator's, adopts the running smbd, include and dataset as they are, runs no step, and the
 * client's session goes on; and so it does when the only pass after the restart is on the
 * coordinator's state. (The single-node case: {@code RestartedAgentKeepsClientSessionsTest}.)
 */
class RestartedClusterAgentKeepsClientSessionsTest {
  private static final String PASSWORD = "Rest4rt-cluster";

  @Test
  void aSigkilledAndRestartedClusterAgentRunsNoStepAndTheClientsSessionGoesOn() throws Exception {
    Path state = Files.createTempDirectory("smbgw-e2e-restart-");
    CoordinatorConfig config = Cli.singleNode(state);
    Coordinator coordinator = new Coordinator(config);
    // The pool is closed last: the agent and its smbd, which hold its dataset, are gone by then.
    try (ZfsPool pool = new ZfsPool("sgc", 256L << 20); AgentProcess node = new AgentProcess("smbgw-restart-", "test");
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      coordinator.start();
      Cli.admin(coordinator.address(), config);
      Path storage = node.dir().resolve("storage.cfg");
      Files.writeString(storage, "zfspool: tank\n\tpool " + pool.name() + "\n\tcontent images,rootdir\n");
      TlsConfig tls = Cli.PKI.node("test");
      Files.writeString(node.config(), Files.readString(node.config()) + "coordinators: [" + coordinator.address()
          + "]\npveStorageConfig: " + storage + "\nmetrics: {listen: \"127.0.0.1:0\"}\ntls: {ca: " + tls.ca()
          + ", cert: " + tls.cert() + ", key: " + tls.key() + "}\n");
      Process agent = node.start();
      Eventually.until(Duration.ofSeconds(30), () -> coordinator.view().live().containsKey("test"), joined -> joined);
      String user = node.user("rsc");
      assertEquals(0, Cli.run(coordinator.address(), PASSWORD + "\n", "user", "add", user, "--password-stdin").code());
      Cli.Result created = Cli.run(coordinator.address(), null, "share", "create", "kept", "--storage", "tank",
          "--write", user);
      assertEquals(0, created.code(), created.err());
      awaitServedAndSettled(node, agent, 1);
      Path before = client.localFile("before.txt");
      Files.writeString(before, "before");
      Path audit = node.state().resolve("audit.log");

      try (SmbClient.Session session = client.open("kept", user, PASSWORD)) {
        String first = session.command("put " + before + " before.txt", "putting file", Duration.ofSeconds(20));
        assertTrue(first.contains("putting file") && !first.contains("NT_STATUS"), first);
        long smbd = node.smbdPid();
        long steps = node.appliedSteps();

        // First as a node restarts: its first pass is on the state it accepted last, which keeps
        // no NT hashes, then the coordinator's (the checks may come between the two: the stream
        // opens before the coordinator's state arrives). Then without that file, so that the only
        // pass is on the coordinator's state, the one that brings the hashes: that pass is seen
        // to run no step, and any step of the first round's would show in the same count.
        for (boolean accepted : new boolean[] {true, false}) {
          node.kill();
          Files.delete(node.state().resolve("status.json"));
          if (!accepted) {
            Files.delete(node.state().resolve("accepted-state.pb"));
            Files.deleteIfExists(node.state().resolve("accepted-state.pb.prev"));
          }
          agent = node.start();
          awaitServedAndSettled(node, agent, accepted ? 2 : 3);

          assertEquals(steps, node.appliedSteps(), "a restart runs no step: " + Files.readString(audit));
          assertEquals(smbd, node.smbdPid(), "the running smbd is adopted, not restarted");
          Path file = client.localFile("after-" + accepted + ".txt");
          Files.writeString(file, "after");
          String next = session.command("put " + file + " after.txt", "putting file", Duration.ofSeconds(20));
          assertTrue(session.alive() && next.contains("putting file") && !next.contains("NT_STATUS"),
              "the same session goes on: " + next);
        }
        String listed = SmbClient.output(client.run("kept", user, PASSWORD, "ls"));
        assertTrue(listed.contains("before.txt") && listed.contains("after.txt"), listed);
      }
    } finally {
      coordinator.close();
      TestDirs.delete(state);
    }
  }

  /**
   * Until the agent's {@code streams}th stream to the coordinator is open (its log is appended to
   * across starts), the share is reported served, and the last pass found nothing left to do.
   */
  private static void awaitServedAndSettled(AgentProcess node, Process agent, int streams) throws Exception {
    long deadline = System.nanoTime() + TestTimeouts.seconds(90).toNanos();
    while (!done(node, streams) && agent.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(done(node, streams), "the share was not served and settled; the agent "
        + (agent.isAlive() ? "is still running" : "exited with " + agent.exitValue()) + ": "
        + Files.readString(node.dir().resolve("agent.log")).lines().filter(l -> l.contains("WARN") || l.contains("ERROR"))
            .limit(20).toList());
  }

  private static boolean done(AgentProcess node, int streams) throws Exception {
    long opened = Files.readString(node.dir().resolve("agent.log")).lines()
        .filter(l -> l.contains("session with coordinator") && l.contains("opened")).count();
    return opened >= streams && node.servedShares().containsKey("kept") && node.settled();
  }
}
