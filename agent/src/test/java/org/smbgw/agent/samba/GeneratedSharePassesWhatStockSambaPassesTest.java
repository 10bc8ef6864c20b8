package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.Smbtorture;
import org.smbgw.agent.testing.StockShare;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.ShareStatus;

/**
 * Samba's conformance suite against a share smbgw generated and a stock share ({@code read only =
 * no}) on the same directory storage and smbd: whatever the stock share passes, smbgw's must pass,
 * and no smbd may panic. The subtests are those the first generated definition failed (its
 * {@code create mask = 0660} stripped the mode bits Samba keeps DOS attributes in) and those that
 * Windows ACLs could break (delete-on-close through permissions); the whole matrix is
 * {@code scripts/bench conformance}.
 */
class GeneratedSharePassesWhatStockSambaPassesTest {
  static final List<String> SUBTESTS = List.of("smb2.connect", "smb2.read.access", "smb2.getinfo.granted",
      "smb2.lock.rw-exclusive", "smb2.lock.rw-shared", "smb2.lock.truncate", "smb2.lock.zerobyteread",
      "smb2.lock.contend", "smb2.lock.stacking", "smb2.delete-on-close-perms.FIND_and_set_DOC",
      "smb2.delete-on-close-perms.READONLY", "smb2.setinfo");

  private SandboxAgent node;
  private Smbtorture torture;
  private final String password = "Torture-" + ThreadLocalRandom.current().nextInt(1 << 30);

  @BeforeEach
  void start() throws Exception {
    node = new SandboxAgent().start();
    torture = new Smbtorture();
  }

  @AfterEach
  void stop() throws Exception {
    try (SandboxAgent n = node; Smbtorture t = torture) {
      // closed in reverse order, each even if another fails
    }
  }

  @Test
  void onDirectoryStorageEveryStockPassPassesAndNothingPanics() throws Exception {
    String user = node.user("tort");
    node.desire("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
        + NtHash.of(password.toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: gw}\nspec:\n"
        + "  storage: {directory: {path: " + node.directoryRoot().resolve("gw") + "}}\n"
        + "  write: {users: [" + user + "]}\n");
    Reconciler.PassReport first = node.reconcile();
    assertEquals(Map.of(), first.outcome().errors());
    assertEquals(Map.of(), node.reconcile().outcome().errors());
    assertEquals(Map.of(), node.reconcile().outcome().errors());
    ShareStatus gw = node.agent().status().getShares(0);
    assertTrue(gw.getCapabilities().getXattrs() && gw.getCapabilities().getWindowsAcls(),
        "ext4 directory storage keeps attributes and Windows ACLs: " + gw.getCapabilities());
    StockShare.add(node.smbConf(), "stock", node.directoryRoot().resolve("stock"));
    node.reloadSamba();

    Smbtorture.Result stock = torture.run("127.0.0.1", node.port(), "stock", user, password, SUBTESTS);
    Smbtorture.Result smbgw = torture.run("127.0.0.1", node.port(), "gw", user, password, SUBTESTS);

    assertFalse(stock.passed().isEmpty(), stock.output());
    Set<String> lost = new TreeSet<>(stock.passed());
    lost.removeAll(smbgw.passed());
    assertEquals(Set.of(), lost, "passed on the stock share, not on smbgw's:\n" + smbgw.output());
    assertEquals(0, node.panics(), "an smbd panicked");
  }
}
