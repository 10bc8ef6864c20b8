package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;

/** Faults injected through the runner's seam; the node must be left as it was, and say so. */
class FailedStepsAreUndoneTest {
  private ZfsPool pool;
  private SandboxAgent node;
  private String user;

  @BeforeEach
  void start() throws Exception {
    pool = new ZfsPool("sgf", 128L << 20);
    node = new SandboxAgent().start();
    user = node.user("fu");
  }

  @AfterEach
  void stop() throws Exception {
    try (ZfsPool p = pool; SandboxAgent n = node) {
      node.agent().runner().setFaultInjector(null);
    }
  }

  private String userDoc() {
    return "---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
        + NtHash.of(("pw" + ThreadLocalRandom.current().nextInt()).toCharArray()) + "}\n";
  }

  private String shareDoc(String name) {
    return "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: " + name + "}\nspec:\n"
        + "  storage: {zfs: {parent: " + pool.name() + "}}\n  quota: 16M\n  write: {users: [" + user + "]}\n";
  }

  private void failWhen(Predicate<List<String>> argv) {
    node.agent().runner().setFaultInjector(cmd -> {
      if (argv.test(cmd.argv())) {
        throw new CommandFailedException(cmd, 1, "injected fault", "injected");
      }
    });
  }

  private static boolean tool(List<String> argv, String name, String arg) {
    return argv.get(0).endsWith("/" + name) || argv.get(0).equals(name) ? argv.contains(arg) || arg == null : false;
  }

  private List<String> audit() throws Exception {
    return Files.readAllLines(node.agent().audit().file());
  }

  @Test
  void failedPublishUndoesTheSharesDatasetAndLeavesNoSection() throws Exception {
    node.desire(userDoc() + shareDoc("half"));
    failWhen(a -> tool(a, "testparm", null));
    Reconciler.PassReport r = node.reconcile();
    assertTrue(r.outcome().errors().get("share/half").contains("not published"), r.outcome().errors().toString());
    assertFalse(pool.exists(pool.name() + "/half"), "dataset undone");
    String include = Files.exists(node.include()) ? Files.readString(node.include()) : "";
    assertFalse(include.contains("[half]"), "no section");
    List<String> audit = audit();
    assertTrue(audit.stream().anyMatch(l -> l.contains("\"undo\"") && l.contains("create dataset " + pool.name() + "/half")), audit.toString());
    assertTrue(audit.stream().anyMatch(l -> l.contains("\"undo\"") && l.contains("publish Samba configuration")), audit.toString());

    node.agent().runner().setFaultInjector(null);
    assertEquals(java.util.Map.of(), node.reconcile().outcome().errors(), "converges once the fault is gone");
    assertTrue(Files.readString(node.include()).contains("[half]"));
  }

  /**
   * smbcontrol failing after the include was installed (smbd gone, or a timeout under load): the
   * include stays, for it passed testparm and new connections read it already (a failed-over
   * share's address may be up for it), the pass fails saying so, and the next pass tells smbd even
   * though it has nothing else to do.
   */
  @Test
  void aFailedReloadKeepsTheInstalledIncludeAndTheNextPassTellsSmbd() throws Exception {
    node.desire(userDoc() + shareDoc("told"));
    failWhen(a -> tool(a, "smbcontrol", "reload-config"));
    Reconciler.PassReport r = node.reconcile();
    assertTrue(r.outcome().errors().getOrDefault("node", "").contains("running connections were not told"),
        r.outcome().errors().toString());
    assertTrue(Files.readString(node.include()).contains("[told]"), "the include stays installed");
    assertTrue(audit().stream().noneMatch(l -> l.contains("\"undo\"") && l.contains("publish Samba configuration")),
        "the publish is not undone");

    node.agent().runner().setFaultInjector(null);
    int before = audit().size();
    Reconciler.PassReport next = node.reconcile();
    assertEquals(java.util.Map.of(), next.outcome().errors(), "converged once smbd was told");
    assertEquals(0, next.plan().size(), "nothing else to do");
    assertTrue(audit().subList(before, audit().size()).stream()
        .anyMatch(l -> l.contains("\"apply\"") && l.contains("tell smbd to reload")), "the next pass told smbd");
    assertTrue(Files.readString(node.include()).contains("[told]"));
  }

  /**
   * A failed pass is tried again a second later, not a resync interval later (an hour here): in
   * the lab, three agents on one /etc/passwd raced to make the same account, two failed, and a
   * node whose failover address came up had no account for the user for 30 s.
   */
  @Test
  void aFailedPassIsTriedAgainSoonNotAfterTheResyncInterval() throws Exception {
    try (SandboxAgent looping = new SandboxAgent().looping(3600).start()) {
      String name = looping.user("fr");
      java.util.concurrent.atomic.AtomicInteger failed = new java.util.concurrent.atomic.AtomicInteger();
      looping.agent().runner().setFaultInjector(cmd -> {
        if (tool(cmd.argv(), "pdbedit", "-i") && failed.getAndIncrement() == 0) {
          throw new CommandFailedException(cmd, 1, "injected fault", "injected");
        }
      });
      looping.desire("---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + name + "}\nspec: {ntHash: "
          + NtHash.of(("pw" + ThreadLocalRandom.current().nextInt()).toCharArray()) + "}\n");
      org.smbgw.proto.v1.NodeObservedState s = org.smbgw.agent.testing.Eventually.until(java.time.Duration.ofSeconds(30),
          () -> looping.agent().status(), st -> st.getUsersList().stream()
              .anyMatch(u -> u.getName().equals(name) && u.getPresent() && u.getErrorsCount() == 0));
      assertTrue(s.getUsersList().stream().anyMatch(u -> u.getName().equals(name) && u.getPresent()), s.toString());
      assertEquals(2, failed.get(), "the first import failed, the retry's went through");
    }
  }

  @Test
  void failedSambaAccountImportRemovesTheNewSystemAccount() throws Exception {
    node.desire(userDoc());
    failWhen(a -> tool(a, "pdbedit", "-i"));
    Reconciler.PassReport r = node.reconcile();
    assertTrue(r.outcome().errors().containsKey("user/" + user), r.outcome().errors().toString());
    assertFalse(Files.readString(java.nio.file.Path.of("/etc/passwd")).contains(user + ":"), "no user behind");
    assertTrue(audit().stream().anyMatch(l -> l.contains("\"undo\"") && l.contains("create system account " + user)));
  }

  @Test
  void oneShareFailingLeavesTheOthersServed() throws Exception {
    node.desire(userDoc() + shareDoc("good") + shareDoc("bad"));
    failWhen(a -> tool(a, "zfs", "create") && a.get(a.size() - 1).endsWith("/bad"));
    Reconciler.PassReport r = node.reconcile();
    assertEquals(List.of("share/bad"), List.copyOf(r.outcome().errors().keySet()));
    String include = Files.readString(node.include());
    assertTrue(include.contains("[good]"));
    assertFalse(include.contains("[bad]"));
    assertTrue(pool.exists(pool.name() + "/good"));
  }

  @Test
  void aFailedUndoIsReportedWithTheCommandThatFinishesIt() throws Exception {
    node.desire(userDoc() + shareDoc("stuck"));
    failWhen(a -> tool(a, "testparm", null) || tool(a, "zfs", "destroy"));
    node.reconcile();
    String line = audit().stream().filter(l -> l.contains("\"undo-failed\"")).findFirst().orElseThrow();
    assertTrue(line.contains("\"manual\":\"zfs destroy " + pool.name() + "/stuck\""), line);
    assertFalse(Files.exists(node.include()) && Files.readString(node.include()).contains("[stuck]"));
  }
}
