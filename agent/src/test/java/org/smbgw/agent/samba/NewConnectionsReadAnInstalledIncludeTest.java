package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.DesiredYaml;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.TestTimeouts;

/**
 * What lets a failed-over share's address come up before smbd is told to reload (the executor's
 * {@code published}): a new client connection reads the include as installed, with no reload, both
 * a share put in and one taken out. Real smbd, checked with the real smbclient.
 */
class NewConnectionsReadAnInstalledIncludeTest {
  @Test
  void anInstalledIncludeServesTheNextConnectionWithoutAReload() throws Exception {
    try (SandboxAgent node = new SandboxAgent().start();
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String ann = node.user("ann");
      String pw = "Ann-" + ThreadLocalRandom.current().nextInt();
      node.desire(DesiredYaml.of(List.of(DesiredYaml.user(ann, pw),
          DesiredYaml.share("kept", "{directory: {path: " + node.directoryRoot().resolve("kept") + "}}",
              "write: {users: [" + ann + "]}"),
          DesiredYaml.share("later", "{directory: {path: " + node.directoryRoot().resolve("later") + "}}",
              "write: {users: [" + ann + "]}"))));
      assertEquals(Map.of(), node.reconcile().outcome().errors());
      assertEquals(0, node.reconcile().plan().size(), "converged");
      AgentMetrics metrics = new AgentMetrics(new MetricRegistry());
      try (CommandRunner runner = new CommandRunner(metrics, TestTimeouts.seconds(30))) {
        SambaConfig samba = new SambaConfig(runner, metrics, node.config().samba().config(), node.include(),
            SambaTools.defaults());
        String both = samba.readInclude();
        String without = both.replace(IncludeRenderer.sections(both).get("later"), "");

        samba.install(without, Set.of("kept"));
        CommandResult gone = client.run("later", ann, pw, "ls");
        assertFalse(gone.succeeded(), "taken out: " + SmbClient.output(gone));
        assertTrue(SmbClient.output(gone).contains("NT_STATUS_BAD_NETWORK_NAME"), SmbClient.output(gone));
        assertTrue(client.run("kept", ann, pw, "ls").succeeded(), "the other share still serves");

        samba.install(both, Set.of("kept", "later"));
        CommandResult back = client.run("later", ann, pw, "ls");
        assertTrue(back.succeeded(), "put in, served to the next connection: " + SmbClient.output(back));

        // smbd compares its files' times in whole seconds: a change within the second it last
        // read them in must be seen all the same.
        samba.reload();
        samba.install(without, Set.of("kept"));
        assertFalse(client.run("later", ann, pw, "ls").succeeded(), "taken out within the second of a reload");

        // Whatever the clock says, a replaced file is dated later than the one it replaced.
        java.nio.file.attribute.FileTime ahead = java.nio.file.attribute.FileTime.from(
            java.time.Instant.now().plusSeconds(5));
        java.nio.file.Files.setLastModifiedTime(node.include(), ahead);
        samba.install(both, Set.of("kept", "later"));
        assertTrue(java.nio.file.Files.getLastModifiedTime(node.include()).to(java.util.concurrent.TimeUnit.SECONDS)
            > ahead.to(java.util.concurrent.TimeUnit.SECONDS), "dated a whole second after the file it replaced");
        assertTrue(client.run("later", ann, pw, "ls").succeeded(), "and read by the next connection");
      }
    }
  }
}
