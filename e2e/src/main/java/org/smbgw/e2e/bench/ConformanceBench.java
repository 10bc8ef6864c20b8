package org.smbgw.e2e.bench;

import static org.smbgw.e2e.bench.Bench.figure;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.Smbtorture;
import org.smbgw.agent.testing.StockShare;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;

/**
 * Samba's conformance suite (smbtorture) against a share smbgw created and a stock share
 * ({@code read only = no}, nothing else) served by the same smbd on the same storage, side by
 * side: on directory storage (ext4 here), then on a zfs-fuse dataset. Prints the subtests each
 * passed and how often an smbd panicked, and names the subtests only one of them passed.
 */
final class ConformanceBench {
  /** The suites issue 15 measured, plus DOS attributes, Windows ACLs and share modes. */
  static final List<String> SUITES = List.of("smb2.connect", "smb2.getinfo", "smb2.setinfo", "smb2.rw", "smb2.dir",
      "smb2.lock", "smb2.read", "smb2.create", "smb2.rename", "smb2.delete-on-close-perms", "smb2.dosmode",
      "smb2.acls", "smb2.sharemode");

  private ConformanceBench() {}

  static void run() throws Exception {
    String password = "Conf-" + ThreadLocalRandom.current().nextInt(1 << 30);
    try (SandboxAgent node = new SandboxAgent().start(); Smbtorture torture = new Smbtorture()) {
      String user = node.user("conf");
      side("conformance", node, torture, user, password, "{directory: {path: " + node.directoryRoot().resolve("gw") + "}}",
          node.directoryRoot().resolve("stock"), null);
    }
    try (ZfsPool pool = new ZfsPool("sgc", 512L << 20); SandboxAgent node = new SandboxAgent().start();
        Smbtorture torture = new Smbtorture()) {
      String user = node.user("conf");
      pool.zfs("create", "-o", "mountpoint=" + pool.mountpoint().resolve("stock"), pool.name() + "/stock");
      side("conformance.zfs", node, torture, user, password, "{zfs: {parent: " + pool.name() + "}}",
          pool.mountpoint().resolve("stock"), pool);
    }
  }

  private static void side(String prefix, SandboxAgent node, Smbtorture torture, String user, String password,
      String storage, Path stockDir, ZfsPool pool) throws Exception {
    node.desire("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
        + NtHash.of(password.toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: gw}\nspec:\n"
        + "  storage: " + storage + "\n  write: {users: [" + user + "]}\n");
    for (int i = 0; i < 3; i++) {
      Reconciler.PassReport r = node.reconcile();
      if (!r.outcome().ok()) {
        System.out.println(prefix + " not measured: the agent's pass failed: " + r.outcome().errors());
        return;
      }
    }
    System.out.println("# " + prefix + ": share gw " + node.agent().status().getShares(0).getCapabilities()
        .toString().replace('\n', ' '));
    StockShare.add(node.smbConf(), "stock", stockDir);
    node.reloadSamba();
    long panics = node.panics();
    Smbtorture.Result smbgw = torture.run("127.0.0.1", node.port(), "gw", user, password, SUITES);
    long smbgwPanics = node.panics() - panics;
    Smbtorture.Result stock = torture.run("127.0.0.1", node.port(), "stock", user, password, SUITES);
    long stockPanics = node.panics() - panics - smbgwPanics;
    figure(prefix + ".smbgw.passed", smbgw.passed().size(), "count");
    figure(prefix + ".stock.passed", stock.passed().size(), "count");
    figure(prefix + ".smbgw.panics", smbgwPanics, "count");
    figure(prefix + ".stock.panics", stockPanics, "count");
    Set<String> onlyStock = new TreeSet<>(stock.passed());
    onlyStock.removeAll(smbgw.passed());
    Set<String> onlySmbgw = new TreeSet<>(smbgw.passed());
    onlySmbgw.removeAll(stock.passed());
    System.out.println("# " + prefix + ": passed only on the stock share: " + onlyStock);
    System.out.println("# " + prefix + ": passed only on smbgw's share: " + onlySmbgw);
  }
}
