package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

class SmbStatusTest {
  /** Captured from Samba 4.17 with two smbclient sessions on share "team". */
  @Test
  void countsSessionsTreeConnectsAndUsersPerShare() throws Exception {
    String json = new String(getClass().getResourceAsStream("/fixtures/smbstatus-2sessions.json").readAllBytes(),
        StandardCharsets.UTF_8);
    SmbStatus.Connections c = SmbStatus.parse(json);
    assertEquals(new SmbStatus.ShareConnections(2, 2, Set.of("ssuser")), c.shares().get("team"));
    assertEquals(1, c.shares().size());
    assertEquals(java.util.Map.of(new SmbStatus.SessionKind("SMB3_11", "partial", "none"), 2), c.sessionKinds());
  }

  @Test
  void aHungSmbstatusIsCutOffByItsOwnTimeout() throws Exception {
    Path hang = Files.createTempFile("smbstatus-hang", ".sh", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    Files.writeString(hang, "#!/bin/sh\nsleep 600\n");
    try (CommandRunner runner = new CommandRunner(new AgentMetrics(new MetricRegistry()), Duration.ofMinutes(5))) {
      SambaTools tools = SambaTools.defaults().withSmbstatus(hang.toString());
      long start = System.nanoTime();
      assertThrows(CommandFailedException.Timeout.class, () -> new SmbStatus(runner, tools, Path.of("/dev/null")).read());
      assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(SmbStatus.TIMEOUT.plusSeconds(10)) < 0,
          "the runner's own five-minute default did not apply");
    } finally {
      Files.deleteIfExists(hang);
    }
  }
}
