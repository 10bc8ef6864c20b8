package org.smbgw.agent.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.common.InvalidSpecException;

class AgentConfigTest {
  @Test
  void aNodeNameNoCoordinatorWouldAcceptStopsTheAgentAtStartNamingTheSetting(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "node: pve_1\ncoordinators: [127.0.0.1:7400]\n");
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> AgentConfig.load(file));
    assertTrue(e.getMessage().contains("node: a node name") && e.getMessage().contains("pve_1"), e.getMessage());

    Files.writeString(file, "node: pve1.example\ncoordinators: [127.0.0.1:7400]\n");
    assertEquals("pve1.example", AgentConfig.load(file).node());
  }

  @Test
  void checkConfigNamesTheUnknownKeyAndTheBadValue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("agent.yaml");
    Files.writeString(file, "resyncSecond: 30\ncommandTimeoutSeconds: soon\ncoordinators: [pve1]\n");
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    int code;
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      code = new picocli.CommandLine(new org.smbgw.agent.AgentMain()).execute("check-config", file.toString());
    } finally {
      System.setErr(saved);
    }
    String text = err.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(4, code, text);
    assertTrue(text.contains("resyncSecond: unknown setting"), text);
    assertTrue(text.contains("commandTimeoutSeconds: must be a whole number"), text);
    Files.writeString(file, "node: pve1\n");
    assertEquals(0, new picocli.CommandLine(new org.smbgw.agent.AgentMain()).execute("check-config", file.toString()));
  }
}
