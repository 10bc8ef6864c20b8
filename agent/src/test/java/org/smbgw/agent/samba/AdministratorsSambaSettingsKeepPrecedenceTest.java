package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.TestDirs;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.proto.v1.ShareSpec;

/**
 * A real smbd whose smb.conf is the administrator's, reached through a symlink, and says
 * {@code server min protocol = SMB3}: after smbgw hooked in and published a share, SMB2 is still
 * refused and SMB3 served; the link stays a link, the original is backed up once, and unhooking
 * gives back the administrator's file.
 */
class AdministratorsSambaSettingsKeepPrecedenceTest {
  private final AgentMetrics metrics = new AgentMetrics(new MetricRegistry());
  private CommandRunner runner;
  private Path dir;
  private SmbdSandbox smbd;

  @BeforeEach
  void start() throws Exception {
    runner = new CommandRunner(metrics, TestTimeouts.seconds(30));
    dir = Files.createTempDirectory("smbgw-smbconf-", TestDirs.TRAVERSABLE);
    int port = org.smbgw.common.testing.FreePorts.one();
    smbd = new SmbdSandbox(runner, SambaTools.defaults(), dir.resolve("samba"), "127.0.0.1", port);
    smbd.start(TestTimeouts.seconds(30));
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (smbd != null) {
        smbd.close();
      }
      runner.close();
    } finally {
      try (var files = Files.walk(dir)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  @Test
  void anSmb3OnlySettingHoldsAndTheLinkedSmbConfStaysALink() throws Exception {
    // The administrator's smb.conf: the sandbox's own settings (without its include line), SMB3
    // only, kept elsewhere and linked to, as /etc/samba/smb.conf sometimes is.
    Path adminDir = Files.createDirectories(dir.resolve("admin"));
    Path real = adminDir.resolve("smb.conf");
    String sandboxConf = String.join("\n",
        SmbConfHook.forInclude(smbd.include()).unhooked(Files.readAllLines(smbd.smbConf()))) + "\n";
    String admin = sandboxConf + "\tserver min protocol = SMB3\n";
    Files.writeString(real, admin);
    Files.setPosixFilePermissions(real, PosixFilePermissions.fromString("rw-r-----"));
    Files.delete(smbd.smbConf());
    Files.createSymbolicLink(smbd.smbConf(), real);

    Path data = Files.createDirectories(dir.resolve("pub"), TestDirs.TRAVERSABLE);
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    SambaConfig samba = new SambaConfig(runner, metrics, smbd.smbConf(), smbd.include(), SambaTools.defaults());
    assertFalse(samba.smbConfIncludes());
    samba.addIncludeToSmbConf();
    ShareSpec pub = ShareSpec.newBuilder().setName("pub").setGuestOk(true).build();
    // Guests: smbgw's globals now say "map to guest = Bad User" and its SMB2_02 floor; neither may win.
    samba.install(new IncludeRenderer("nogroup").render(List.of(new PublishedShare(pub, data.toString(), true))), Set.of("pub"));
    samba.reload();

    assertTrue(samba.smbConfIncludes());
    assertTrue(Files.isSymbolicLink(smbd.smbConf()), "smb.conf was a link and must stay one");
    assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(real)));
    assertEquals(admin, Files.readString(samba.backup()), "the original is kept beside the file edited");
    assertEquals(adminDir.resolve("smb.conf.smbgw-orig"), samba.backup());
    assertTrue(samba.hookDescription().contains("a link to " + real), samba.hookDescription());

    CommandResult smb3 = smbclient("SMB3");
    assertTrue(smb3.succeeded(), "SMB3 is served: " + smb3.stdout() + smb3.stderr());
    CommandResult smb2 = smbclient("SMB2");
    assertFalse(smb2.succeeded(), "the administrator's SMB3-only setting must hold: " + smb2.stdout() + smb2.stderr());

    // The administrator edits the file again; hooking in once more keeps the first backup.
    Files.writeString(real, Files.readString(real) + "[late]\n\tpath = /tmp\n");
    assertFalse(samba.smbConfIncludes(), "the share include is no longer last");
    samba.addIncludeToSmbConf();
    assertTrue(samba.smbConfIncludes());
    assertEquals(admin, Files.readString(samba.backup()), "the backup is never rewritten");

    assertTrue(samba.removeIncludeFromSmbConf());
    assertEquals(admin + "[late]\n\tpath = /tmp\n", Files.readString(real), "unhooking takes out exactly smbgw's lines");
    assertTrue(Files.isSymbolicLink(smbd.smbConf()));
    try (var left = Files.list(adminDir)) {
      assertEquals(Set.of("smb.conf", "smb.conf.smbgw-orig"), Set.copyOf(left.map(p -> p.getFileName().toString()).toList()),
          "no temporary file left beside the administrator's");
    }
  }

  private CommandResult smbclient(String maxProtocol) throws Exception {
    return runner.runAllowingFailure(Command.of("smbclient", "//127.0.0.1/pub", "-p", Integer.toString(smbd.port()),
        "-N", "-m", maxProtocol, "-c", "ls"));
  }
}
