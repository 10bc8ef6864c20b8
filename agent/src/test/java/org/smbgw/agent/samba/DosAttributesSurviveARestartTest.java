package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.ShareStatus;

/**
 * A file one Windows client made hidden and read-only still shows both attributes to another
 * client after the agent restarts, on storage with extended attributes (ext4 directory storage:
 * kept there) and without (zfs-fuse: kept in mode bits). The first share definition's create
 * mask stripped the bits DOS attributes are mapped to.
 */
class DosAttributesSurviveARestartTest {
  private SandboxAgent node;
  private SmbClient client;
  private ZfsPool pool;
  private String alice;
  private String bob;
  private final String alicePw = "Attr-a" + ThreadLocalRandom.current().nextInt(1 << 30);
  private final String bobPw = "Attr-b" + ThreadLocalRandom.current().nextInt(1 << 30);

  @BeforeEach
  void start() throws Exception {
    node = new SandboxAgent().start();
    client = new SmbClient("127.0.0.1", node.port());
    alice = node.user("attra");
    bob = node.user("attrb");
  }

  @AfterEach
  void stop() throws Exception {
    try (ZfsPool p = pool; SandboxAgent n = node; SmbClient c = client) {
      // closed in reverse order, each even if another fails
    }
  }

  @Test
  void onDirectoryStorageInExtendedAttributes() throws Exception {
    hiddenAndReadOnlySurvive("{directory: {path: " + node.directoryRoot().resolve("attrs") + "}}", true);
  }

  @Test
  void onZfsFuseInModeBits() throws Exception {
    pool = new ZfsPool("sga", 256L << 20);
    hiddenAndReadOnlySurvive("{zfs: {parent: " + pool.name() + "}}", false);
  }

  private void hiddenAndReadOnlySurvive(String storage, boolean xattrs) throws Exception {
    String desired = user(alice, alicePw) + user(bob, bobPw) + "---\napiVersion: smbgw/v1\nkind: Share\n"
        + "metadata: {name: attrs}\nspec:\n  storage: " + storage + "\n  write: {users: [" + alice + "]}\n"
        + "  read: {users: [" + bob + "]}\n";
    node.desire(desired);
    converge();
    ShareStatus st = node.agent().status().getShares(0);
    assertEquals(xattrs, st.getCapabilities().getXattrs(), st.toString());

    Files.writeString(client.localFile("report.txt"), "quarterly\n");
    CommandResult put = Eventually.until(Duration.ofSeconds(10), () -> client.run("attrs", alice, alicePw,
        "put " + client.localFile("report.txt") + " report.txt; setmode report.txt +hr"), CommandResult::succeeded);
    assertEquals(0, put.exitCode(), SmbClient.output(put));

    node.stopAgentOnly();
    node.start();
    converge();

    CommandResult info = Eventually.until(Duration.ofSeconds(10),
        () -> client.run("attrs", bob, bobPw, "allinfo report.txt"), CommandResult::succeeded);
    String attributes = SmbClient.output(info).lines().filter(l -> l.startsWith("attributes:")).findFirst()
        .orElseThrow(() -> new AssertionError(SmbClient.output(info)));
    assertTrue(attributes.contains("H") && attributes.contains("R"), "hidden and read-only lost: " + attributes);
  }

  private void converge() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(Map.of(), node.reconcile().outcome().errors());
    }
  }

  private static String user(String name, String pw) {
    return "---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + name + "}\nspec: {ntHash: "
        + NtHash.of(pw.toCharArray()) + "}\n";
  }
}
