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
    assertTrue(e.getMessage().contains("node") && e.getMessage().contains("pve_1"), e.getMessage());

    Files.writeString(file, "node: pve1.example\ncoordinators: [127.0.0.1:7400]\n");
    assertEquals("pve1.example", AgentConfig.load(file).node());
  }
}
