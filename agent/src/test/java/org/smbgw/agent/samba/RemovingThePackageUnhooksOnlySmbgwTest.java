package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/** What the package's removal does to smb.conf: smbgw's two lines go, wherever they are; nothing else changes. */
class RemovingThePackageUnhooksOnlySmbgwTest {
  @Test
  void onlySmbgwsMarkAndIncludeGoAndASymlinkStaysALink(@TempDir Path dir) throws Exception {
    Path real = dir.resolve("real-smb.conf");
    Path link = dir.resolve("smb.conf");
    Path include = dir.resolve("smbgw-shares.conf");
    String admin = "[global]\n   server min protocol = SMB3\n\n   include = /etc/samba/admin-own.conf\n";
    Files.writeString(real, admin + "\n" + SmbConfHook.SHARES_MARK + "\n\n   include = " + include + "\n[homes]\n   browseable = no\n");
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
    Files.createSymbolicLink(link, real);
    AgentMetrics metrics = new AgentMetrics(new MetricRegistry());
    try (CommandRunner runner = new CommandRunner(metrics, Duration.ofSeconds(10))) {
      SambaConfig samba = new SambaConfig(runner, metrics, link, include, SambaTools.defaults());
      assertTrue(samba.removeIncludeFromSmbConf());
      assertTrue(Files.isSymbolicLink(link), "smb.conf was a link and must stay one");
      assertEquals(admin + "\n\n[homes]\n   browseable = no\n", Files.readString(real), "only smbgw's two lines go");
      assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
      assertFalse(samba.removeIncludeFromSmbConf(), "nothing left to remove");
      assertFalse(Files.list(dir).anyMatch(p -> p.getFileName().toString().contains("smbgw-tmp")), "no temporary file left");
    }
  }
}
