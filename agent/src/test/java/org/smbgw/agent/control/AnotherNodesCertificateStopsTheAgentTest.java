package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.Agent;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.testing.TestPki;

/**
 * An agent in cluster mode whose certificate is another node's, or missing, would be refused by
 * every coordinator at every hello: it refuses to start instead, naming the setting.
 */
class AnotherNodesCertificateStopsTheAgentTest {
  @Test
  void anotherNodesCertificateIsRefusedAtStartNamingTls() throws Exception {
    try (TestPki pki = TestPki.create(); SandboxAgent node = new SandboxAgent()) {
      node.coordinators(List.of("127.0.0.1:7400")).tls(pki.node("other"));
      InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> new Agent(node.config(), new MetricRegistry()));
      assertEquals("tls", e.violations().get(0).field());
      assertTrue(e.violations().get(0).rule().contains("is the certificate of other, not of node test"), e.getMessage());
    }
  }

  @Test
  void missingFilesAreRefusedNamingTheFile() throws Exception {
    try (TestPki pki = TestPki.create(); SandboxAgent node = new SandboxAgent()) {
      org.smbgw.common.tls.TlsConfig mine = pki.node("test");
      java.nio.file.Files.delete(mine.key());
      node.coordinators(List.of("127.0.0.1:7400")).tls(mine);
      InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Agent.credentials(node.config()));
      assertTrue(e.getMessage().contains(mine.key() + ": no such file"), e.getMessage());
    }
  }
}
