package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.common.NtHash;

/**
 * A share's hostsAllow on a real smbd, with the client in a network namespace of its own (Samba
 * always lets 127.0.0.1 in, so loopback cannot show it): one veth pair, 198.18.79.1 on this side
 * where the agent's smbd listens, 198.18.79.2 in the client's namespace. Nothing leaves the pair.
 */
class ClientNetworksTest {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      Duration.ofSeconds(30));
  private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private final String ns = "sgwh-" + tag;
  private final String veth = "sgwh" + tag;
  private SandboxAgent node;

  @AfterEach
  void stop() throws Exception {
    try (SandboxAgent n = node) {
      // the agent and its smbd first
    } finally {
      runner.runAllowingFailure(Command.of("ip", "netns", "del", ns)); // takes the peer, and so the pair
      runner.runAllowingFailure(Command.of("ip", "link", "del", veth + "a"));
      runner.close();
    }
  }

  private void ok(String... argv) throws Exception {
    runner.run(Command.of(List.of(argv)));
  }

  @Test
  void aClientOutsideTheAllowedNetworksIsRefusedAndOneInsideIsServed() throws Exception {
    ok("ip", "netns", "add", ns);
    ok("ip", "link", "add", veth + "a", "type", "veth", "peer", "name", veth + "b");
    ok("ip", "link", "set", veth + "b", "netns", ns);
    ok("ip", "addr", "add", "198.18.79.1/30", "dev", veth + "a");
    ok("ip", "link", "set", veth + "a", "up");
    ok("ip", "netns", "exec", ns, "ip", "addr", "add", "198.18.79.2/30", "dev", veth + "b");
    ok("ip", "netns", "exec", ns, "ip", "link", "set", veth + "b", "up");
    ok("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up");

    node = new SandboxAgent().address("198.18.79.1").start();
    String user = node.user("net");
    String password = "Net-" + ThreadLocalRandom.current().nextInt(1 << 30);
    String share = "apiVersion: smbgw/v1\nkind: Share\nmetadata: {name: %s}\nspec:\n  storage: {directory: {path: "
        + node.directoryRoot() + "/%s}}\n  write: {users: [" + user + "]}\n  hostsAllow: [%s]\n";
    node.desire("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
        + NtHash.of(password.toCharArray()) + "}\n---\n" + String.format(share, "elsewhere", "elsewhere", "10.0.0.0/8")
        + "---\n" + String.format(share, "here", "here", "198.18.79.0/30")
        + "---\n" + String.format(share, "except", "except", "198.18.79.0/30") + "  hostsDeny: [198.18.79.2]\n");
    assertEquals(java.util.Map.of(), node.reconcile().outcome().errors());
    Path auth = Files.createTempFile("smbgw-net-", ".auth");
    try {
      Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
      CommandResult served = Eventually.until(Duration.ofSeconds(15), () -> fromClient(auth, "here"), r -> r.exitCode() == 0);
      assertEquals(0, served.exitCode(), served.stdout() + served.stderr());
      CommandResult refused = fromClient(auth, "elsewhere");
      assertTrue(refused.exitCode() != 0 && (refused.stdout() + refused.stderr()).contains("NT_STATUS"),
          "a client from 198.18.79.2 was served a share allowing only 10.0.0.0/8: " + refused.stdout());
      CommandResult denied = fromClient(auth, "except");
      assertTrue(denied.exitCode() != 0, "a client both allowed (its network) and denied (itself) was served: "
          + denied.stdout());
    } finally {
      Files.deleteIfExists(auth);
    }
  }

  private CommandResult fromClient(Path auth, String share) throws Exception {
    return runner.runAllowingFailure(Command.of("ip", "netns", "exec", ns, "smbclient", "//198.18.79.1/" + share, "-p",
        Integer.toString(node.port()), "-A", auth.toString(), "-m", "SMB3", "-c", "ls"));
  }
}
