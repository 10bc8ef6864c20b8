package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.ZfsDaemon;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;

/**
 * zfs-fuse killed under a running agent and started again: the kernel keeps its mounts, dead
 * (ENOTCONN), and the restarted daemon mounts nothing over them. While ZFS does not answer, the
 * share on a directory keeps converging; the first pass after the daemon is back remounts the
 * dead trees, and clients read the shares' files again.
 */
class DeadMountsAreRemountedTest {
  private static final String PASSWORD = "Dead-m0unts";

  @Test
  void aKilledZfsDaemonCostsOnlyItsSharesAndTheNextPassRemountsThem() throws Exception {
    try (ZfsPool pool = new ZfsPool("sgd", 256L << 20); SandboxAgent node = new SandboxAgent();
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String parent = pool.name() + "/data"; // mounted, unlike the pool's root: a dead tree of three
      assertTrue(pool.zfs("create", parent).succeeded());
      String user = node.user("dm");
      node.start();
      node.desire(user(user) + share("a", "{zfs: {parent: " + parent + "}}", user)
          + share("b", "{zfs: {parent: " + parent + "}}", user));
      assertEquals(Map.of(), node.reconcile().outcome().errors());
      Files.writeString(client.localFile("kept.txt"), "still here");
      for (String share : new String[] {"a", "b"}) {
        CommandResult put = Eventually.until(Duration.ofSeconds(10),
            () -> client.run(share, user, PASSWORD, "put " + client.localFile("kept.txt") + " kept.txt"),
            CommandResult::succeeded);
        assertEquals(0, put.exitCode(), SmbClient.output(put));
      }
      // zfs-fuse writes its transaction groups every few seconds; changing a property writes one now.
      assertTrue(pool.zfs("set", "org.smbgw:test=synced", parent).succeeded());
      // A client stays connected through the crash: its smbd child keeps the share's root as its
      // working directory, which a plain unmount of the dead mount refuses (busy).
      SmbClient.Session held = client.open("a", user, PASSWORD);
      String listed = held.command("ls", "blocks of size", Duration.ofSeconds(20));
      assertTrue(!listed.contains("NT_STATUS"), listed);

      try {
        ZfsDaemon.kill();
        // A share on a directory is added while ZFS does not answer: it is served all the same.
        node.desire(user(user) + share("a", "{zfs: {parent: " + parent + "}}", user)
            + share("b", "{zfs: {parent: " + parent + "}}", user)
            + share("d", "{directory: {path: " + node.directoryRoot().resolve("d") + "}}", user));
        Reconciler.PassReport down = node.reconcile();
        assertEquals(java.util.Set.of("share/a", "share/b"), down.outcome().errors().keySet(),
            "only the shares on ZFS wait: " + down.outcome().errors());
        assertTrue(down.outcome().errors().get("share/a").contains("ZFS could not be observed"),
            down.outcome().errors().toString());
        CommandResult dir = Eventually.until(Duration.ofSeconds(10), () -> client.run("d", user, PASSWORD, "ls"),
            CommandResult::succeeded);
        assertEquals(0, dir.exitCode(), SmbClient.output(dir));
      } finally {
        ZfsDaemon.start();
      }
      CommandResult dead = client.run("a", user, PASSWORD, "get kept.txt " + client.localFile("dead.txt"));
      assertTrue(dead.exitCode() != 0, "the mount must be dead before the agent's pass: " + SmbClient.output(dead));

      Reconciler.PassReport back = node.reconcile();
      assertEquals(Map.of(), back.outcome().errors());
      assertEquals(java.util.Set.of("share/a", "share/b"), back.outcome().remounted().keySet());
      for (String share : new String[] {"a", "b"}) {
        CommandResult get = client.run(share, user, PASSWORD, "get kept.txt " + client.localFile(share + ".txt"));
        assertEquals(0, get.exitCode(), SmbClient.output(get));
        assertEquals("still here", Files.readString(client.localFile(share + ".txt")));
      }
      ShareStatus a = node.agent().status().getSharesList().stream().filter(s -> s.getName().equals("a"))
          .findFirst().orElseThrow();
      assertEquals(ShareState.SHARE_STATE_ACTIVE, a.getState());
      assertTrue(a.getRemounted().contains("remount " + parent + " at "), a.getRemounted());
      assertEquals(0, node.reconcile().plan().size(), "the pass after the remount finds nothing to do");
      held.close();
    }
  }

  private static String user(String name) {
    return "---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + name + "}\nspec: {ntHash: "
        + NtHash.of(PASSWORD.toCharArray()) + "}\n";
  }

  private static String share(String name, String storage, String user) {
    return "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: " + name + "}\nspec:\n  storage: " + storage
        + "\n  write: {users: [" + user + "]}\n";
  }
}
