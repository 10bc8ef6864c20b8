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
 * A share failed over to a node waited for a whole look (five programs, 0.3 to 0.56 s in the
 * failover lab) before it was served. On a node whose last pass found nothing to do, a state that
 * only adds shares on directory storage is now published on that pass's look; a state that also
 * removes something gets a whole look. Real smbd, checked with the real smbclient.
 */
class AddedShareWaitsForNoWholeLookTest {
  @Test
  void anAddedShareIsServedOnTheLastLookAndARemovalGetsAWholeLook() throws Exception {
    try (SandboxAgent node = new SandboxAgent().start();
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String ann = node.user("ann");
      String bob = node.user("bob");
      String annPw = "Ann-" + ThreadLocalRandom.current().nextInt();
      String bobPw = "Bob-" + ThreadLocalRandom.current().nextInt();
      String first = share("first", node.directoryRoot().resolve("first"), ann);
      String users = DesiredYaml.user(ann, annPw);
      node.desire(DesiredYaml.of(List.of(users, DesiredYaml.user(bob, bobPw), first)));
      assertEquals(Map.of(), node.reconcile().outcome().errors());
      Reconciler.PassReport idle = node.reconcile();
      assertEquals(0, idle.plan().size(), "converged: " + idle.plan());
      assertFalse(idle.quick(), "nothing was added");
      long looks = node.wholeLooks();
      long smbstatus = runs(node, "smbstatus");
      assertTrue(looks > 0 && smbstatus > 0, "the metrics counted the whole looks so far");

      String added = share("added", node.directoryRoot().resolve("added"), ann);
      node.desire(DesiredYaml.of(List.of(users, DesiredYaml.user(bob, bobPw), first, added)));
      Reconciler.PassReport quick = node.reconcile();
      assertTrue(quick.quick(), "a state that only adds a share on directory storage, after an idle pass");
      assertEquals(Map.of(), quick.outcome().errors());
      assertEquals(looks, node.wholeLooks(), "no whole look");
      assertEquals(1, node.quickPasses(), "counted as quick");
      assertEquals(smbstatus, runs(node, "smbstatus"), "smbstatus runs only to look");
      CommandResult put = client.run("added", ann, annPw, "mkdir from-ann; ls");
      assertTrue(put.succeeded() && SmbClient.output(put).contains("from-ann"), "served: " + SmbClient.output(put));

      Reconciler.PassReport full = node.reconcile();
      assertFalse(full.quick(), "a quick pass is followed by a whole look");
      assertEquals(0, full.plan().size(), "which finds the quick one did everything: " + full.plan());

      String more = share("more", node.directoryRoot().resolve("more"), ann);
      node.desire(DesiredYaml.of(List.of(users, first, added, more))); // bob goes
      Reconciler.PassReport both = node.reconcile();
      assertFalse(both.quick(), "a state that also removes an account is judged on a whole look");
      assertEquals(Map.of(), both.outcome().errors());
      assertTrue(client.run("more", ann, annPw, "ls").succeeded(), "the added share serves");
      assertFalse(client.run("IPC$", bob, bobPw, "exit").succeeded(), "bob's account is gone");
    }
  }

  private static String share(String name, Path path, String writer) {
    return DesiredYaml.share(name, "{directory: {path: " + path + "}}", "write: {users: [" + writer + "]}");
  }

  private static long runs(SandboxAgent node, String tool) {
    return node.metrics().timer("smbgw.agent.exec.duration." + tool).getCount();
  }
}
