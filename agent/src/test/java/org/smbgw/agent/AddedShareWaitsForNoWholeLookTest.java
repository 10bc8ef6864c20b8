package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.DesiredYaml;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;

/**
 * A share failed over to a node waited for a whole observation (five programs, 0.3 to 0.56 s in the
 * failover lab) before it was served. On a node whose last pass found nothing to do, a state that
 * adds shares on directory storage is now published on that pass's look; the removals in the same
 * state wait for the full pass that follows. Real smbd, checked with the real smbclient.
 */
class AddedShareWaitsForNoWholeLookTest {

  @Test
  void anAddedShareIsServedOnTheLastLookAndARemovedAccountGoesInTheFullPassAfter() throws Exception {
    try (SandboxAgent node = new SandboxAgent().start();
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String ann = node.user("ann");
      String bob = node.user("bob");
      String annPw = "Ann-" + ThreadLocalRandom.current().nextInt();
      String bobPw = "Bob-" + ThreadLocalRandom.current().nextInt();
      Path first = node.directoryRoot().resolve("first");
      Path added = node.directoryRoot().resolve("added");
      node.desire(DesiredYaml.of(List.of(DesiredYaml.user(ann, annPw), DesiredYaml.user(bob, bobPw),
          DesiredYaml.share("first", "{directory: {path: " + first + "}}", "write: {users: [" + ann + ", " + bob + "]}"))));
      assertEquals(Map.of(), node.reconcile().outcome().errors());
      Reconciler.PassReport idle = node.reconcile();
      assertEquals(0, idle.plan().size(), "converged: " + idle.plan());
      assertFalse(idle.quick(), "nothing was added");
      assertTrue(client.run("first", bob, bobPw, "ls").succeeded(), "bob is served before he is removed");
      long looksBefore = looks(node);
      long smbstatusBefore = runs(node, "smbstatus");

      node.desire(DesiredYaml.of(List.of(DesiredYaml.user(ann, annPw),
          DesiredYaml.share("first", "{directory: {path: " + first + "}}", "write: {users: [" + ann + "]}"),
          DesiredYaml.share("added", "{directory: {path: " + added + "}}", "write: {users: [" + ann + "]}"))));
      Reconciler.PassReport quick = node.reconcile();
      assertTrue(quick.quick(), "a state that adds a share on directory storage after an idle pass");
      assertEquals(Map.of(), quick.outcome().errors());
      assertEquals(looksBefore, looks(node), "no whole look");
      assertEquals(smbstatusBefore, runs(node, "smbstatus"), "smbstatus runs only to look");
      CommandResult put = client.run("added", ann, annPw, "mkdir from-ann; ls");
      assertTrue(put.succeeded() && SmbClient.output(put).contains("from-ann"), "the added share serves: " + SmbClient.output(put));
      assertTrue(client.run("IPC$", bob, bobPw, "exit").succeeded(), "the removed account is kept until the full pass");

      Reconciler.PassReport full = node.reconcile();
      assertFalse(full.quick(), "a quick pass is followed by a whole look, never another quick one");
      assertEquals(Map.of(), full.outcome().errors());
      assertFalse(client.run("IPC$", bob, bobPw, "exit").succeeded(), "the full pass removed bob's account");
      assertEquals(0, node.reconcile().plan().size(), "converged again");
    }
  }

  /** Whole observations so far (zfs get, pdbedit, net getdomainsid, smbstatus). */
  private static long looks(SandboxAgent node) {
    return node.metrics().timer("smbgw.agent.reconcile.observe").getCount();
  }

  private static long runs(SandboxAgent node, String tool) {
    return node.metrics().timer("smbgw.agent.exec.duration." + tool).getCount();
  }
}
