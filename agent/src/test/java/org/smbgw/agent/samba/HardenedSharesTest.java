package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.common.NtHash;

/**
 * The share options that lock a share down, on a real smbd with the real smbclient: SMB3 only,
 * encryption required, client networks; and the hardened defaults as testparm reads them.
 */
class HardenedSharesTest {
  private SandboxAgent node;
  private SmbClient client;
  private String alice;
  private final String password = "Hard-" + ThreadLocalRandom.current().nextInt(1 << 30);

  @BeforeEach
  void start() throws Exception {
    node = new SandboxAgent().start();
    client = new SmbClient("127.0.0.1", node.port());
    alice = node.user("hard");
  }

  @AfterEach
  void stop() throws Exception {
    try (SandboxAgent n = node; SmbClient c = client) {
      // closed in reverse order, each even if another fails
    }
  }

  private void desire(String... shares) throws Exception {
    StringBuilder yaml = new StringBuilder("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + alice + "}\nspec: {ntHash: "
        + NtHash.of(password.toCharArray()) + "}\n");
    for (String s : shares) {
      String name = s.substring(0, s.indexOf(':'));
      yaml.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: ").append(name).append("}\nspec:\n")
          .append("  storage: {directory: {path: ").append(node.directoryRoot().resolve(name)).append("}}\n")
          .append("  write: {users: [").append(alice).append("]}\n").append(s.substring(s.indexOf(':') + 1));
    }
    node.desire(yaml.toString());
    Reconciler.PassReport r = node.reconcile();
    assertEquals(Map.of(), r.outcome().errors());
    node.reconcile();
  }

  private CommandResult ls(String share, String... options) throws Exception {
    return Eventually.until(Duration.ofSeconds(10), () -> client.run(List.of(options), share, alice, password, "ls"),
        r -> !SmbClient.output(r).contains("NT_STATUS_BAD_NETWORK_NAME"));
  }

  @Test
  void aShareAskingForSmb3RefusesSmb2Clients() throws Exception {
    desire("modern:  minProtocol: SMB3\n");
    assertEquals(0, ls("modern", "-m", "SMB3").exitCode(), SmbClient.output(ls("modern", "-m", "SMB3")));
    CommandResult old = ls("modern", "-m", "SMB2");
    assertTrue(old.exitCode() != 0 && SmbClient.output(old).contains("NT_STATUS"), SmbClient.output(old));
  }

  @Test
  void encryptionRequiredRefusesAClientThatDoesNotEncrypt() throws Exception {
    desire("secret:  encrypt: required\n");
    // An SMB3 client must encrypt where the share requires it (MS-SMB2 3.2.4.1.8): the client that
    // does not is one that cannot, SMB 2.1.
    CommandResult cannot = ls("secret", "-m", "SMB2");
    assertTrue(cannot.exitCode() != 0, "served to SMB 2.1, which cannot encrypt: " + SmbClient.output(cannot));
    CommandResult sealed = ls("secret", "-m", "SMB3", "--client-protection=encrypt");
    assertEquals(0, sealed.exitCode(), SmbClient.output(sealed));
  }

  /**
   * Samba always lets 127.0.0.1 in unless a hosts deny names it, so on loopback the deny list is
   * what can be shown; a client network outside hostsAllow is shown in the failover lab.
   */
  @Test
  void hostsDenyRefusesAClientNetwork() throws Exception {
    desire("lan:  hostsDeny: [127.0.0.0/8]\n", "local:  hostsAllow: [127.0.0.0/8]\n");
    CommandResult refused = ls("lan", "-m", "SMB3");
    assertTrue(refused.exitCode() != 0, "a client from 127.0.0.1 was served: " + SmbClient.output(refused));
    assertEquals(0, ls("local", "-m", "SMB3").exitCode());
  }

  @Test
  void testparmShowsTheHardenedDefaults() throws Exception {
    desire("plain:\n");
    try (CommandRunner r = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()), Duration.ofSeconds(30))) {
      String shown = r.run(Command.of("testparm", "-s", "-v", "--suppress-prompt", node.config().samba().config().toString()))
          .stdout();
      assertTrue(shown.contains("server min protocol = SMB2_02"), shown);
      assertTrue(shown.contains("restrict anonymous = 2"), shown);
      assertTrue(shown.contains("map to guest = Never"), "no guest mapping unless a share asks: " + shown);
    }
  }

  @Test
  void clientNetworksReachSambaInTheFormItReads() {
    assertEquals("10.0.0.0/24", IncludeRenderer.network("10.0.0.0/24"));
    assertEquals("fd00::/ffff:ffff:ffff:ffff:ffff:ffff:ffff:0", IncludeRenderer.network("fd00::/112"));
    assertEquals("fd00:0::5/ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", IncludeRenderer.network("fd00:0::5"));
    assertEquals("fd00::/ffff:ffff:ffff:ffff:0:0:0:0", IncludeRenderer.network("fd00::/64"));
  }
}
