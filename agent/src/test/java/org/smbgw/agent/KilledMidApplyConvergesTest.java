package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.testing.AgentProcess;
import org.smbgw.agent.testing.SmbClient;
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
    // The pool is closed last: the agent and its smbd, which hold its datasets, are gone by then.
    try (ZfsPool pool = new ZfsPool("sgk", 256L << 20); AgentProcess node = new AgentProcess("smbgw-kill-", "killtest");
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String user = node.user("kil");
      Path dir = node.dir();
      Files.writeString(node.desired(), shares(user, pool.name(), 0, 10));
      assertEquals(0, node.runOnce(), "first batch converges");

      Files.writeString(node.desired(), shares(user, pool.name(), 0, 80));
      node.start();
      Path audit = dir.resolve("state/audit.log");
      long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
      while (creates(audit) < 20 && System.nanoTime() < deadline) {
        Thread.sleep(2);
      }
      node.kill();
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

      assertEquals(0, node.runOnce(), "a restarted agent converges");
      Set<String> after = IncludeRenderer.sections(Files.readString(dir.resolve("state/samba/shares.conf"))).keySet();
      assertEquals(80, after.size());
      // runOnce stopped smbd on exit; start a supervised one again to check from a client.
      node.start();
      for (String share : List.of("s0", "s40", "s79")) {
        CommandResult r = org.smbgw.agent.testing.Eventually.until(Duration.ofSeconds(20),
            () -> client.run(share, user, PASSWORD, "put " + probe + " probe.txt"), x -> x.exitCode() == 0);
        assertEquals(0, r.exitCode(), share + ": " + SmbClient.output(r));
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
}
