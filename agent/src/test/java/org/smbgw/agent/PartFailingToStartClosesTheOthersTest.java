package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.config.AgentConfig;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.TestDirs;

/**
 * A part that cannot start (the metrics port is taken) stops the agent, and the parts started
 * before it are closed again: the sandbox smbd it had started is gone and no agent thread is left.
 */
class PartFailingToStartClosesTheOthersTest {
  private static final Set<String> AGENT_THREADS = Set.of("smbgw-reconcile", "smbgw-desired-file");

  @Test
  void aTakenMetricsPortStopsTheStartAndTheSmbdStartedBeforeIt() throws Exception {
    Path dir = Files.createTempDirectory("smbgw-startfail-", TestDirs.TRAVERSABLE);
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int smbPort = org.smbgw.common.testing.FreePorts.one();
      Files.writeString(dir.resolve("shares.yaml"), "");
      Files.createDirectories(dir.resolve("dirs"));
      AgentConfig config = new AgentConfig("startfail", dir.resolve("state"), dir.resolve("shares.yaml"),
          List.of(dir.resolve("dirs")), SandboxAgent.GROUP, 3600, 60, null, null,
          new AgentConfig.Sandbox("127.0.0.1", smbPort, null, null, null), List.of(), dir.resolve("storage.cfg"),
          "127.0.0.1:" + taken.getLocalPort(), null, null).withDefaults();
      Files.writeString(dir.resolve("storage.cfg"), "");
      Agent agent = new Agent(config, new MetricRegistry());
      Exception e = assertThrows(Exception.class, () -> agent.start(true), "the metrics endpoint cannot bind");
      assertTrue(e.toString().contains("in use"), "failed for another reason than the taken port: " + e);

      long deadline = System.nanoTime() + 10_000_000_000L;
      while ((listening(smbPort) || agentThreads()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(!listening(smbPort), "the sandbox smbd started before the failing part still listens");
      assertTrue(!agentThreads(), "agent threads left running: " + Thread.getAllStackTraces().keySet());
      agent.close(); // a second close does nothing
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }

  private static boolean agentThreads() {
    return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.isAlive() && AGENT_THREADS.contains(t.getName()));
  }
}
