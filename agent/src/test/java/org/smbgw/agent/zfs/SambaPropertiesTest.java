package org.smbgw.agent.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.ZfsPool;

/**
 * Datasets smbgw makes get xattr=sa and acltype=posixacl where the ZFS has them, and keep the
 * defaults, with the reason shown, where it has not. zfs-fuse is real here; kernel OpenZFS cannot
 * run on this machine, so its side is a stand-in {@code zfs} program that answers as OpenZFS does
 * and records what it was asked.
 */
class SambaPropertiesTest {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new MetricRegistry()), Duration.ofSeconds(60));

  @Test
  void zfsFuseDatasetsKeepItsDefaultsAndTheNodeSaysWhy() throws Exception {
    try (ZfsPool pool = new ZfsPool("sgp", 128L << 20)) {
      Zfs zfs = new Zfs(runner, "zfs", MountTable.proc());
      assertTrue(zfs.sambaNote().startsWith("not known yet"), zfs.sambaNote());
      zfs.create(pool.name() + "/a", "a", 0);
      assertTrue(pool.exists(pool.name() + "/a"), "the dataset was made");
      assertEquals("on", pool.property(pool.name() + "/a", "xattr"));
      assertTrue(zfs.sambaNote().contains("no acltype property") && zfs.sambaNote().contains("zfs-fuse"), zfs.sambaNote());
    }
  }

  @Test
  void openZfsDatasetsGetXattrSaAndPosixAclsAskingOnce(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("calls");
    Zfs zfs = openZfs(dir, log, "default");
    zfs.create("tank/smb/a", "a", 1L << 30);
    zfs.create("tank/smb/b", "b", 0);
    assertEquals(List.of(
        "get -H -o property,source xattr,acltype tank/smb",
        "create -o org.smbgw:share=a -o org.smbgw:state=active -o quota=1073741824 -o xattr=sa -o acltype=posixacl tank/smb/a",
        "create -o org.smbgw:share=b -o org.smbgw:state=active -o xattr=sa -o acltype=posixacl tank/smb/b"),
        Files.readAllLines(log));
    assertEquals("new datasets get xattr=sa, acltype=posixacl", zfs.sambaNote());
  }

  /** What an administrator set on the parent is inherited as it is, and the node says so. */
  @Test
  void aParentsOwnSettingIsInheritedAsItIs(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("calls");
    Zfs zfs = openZfs(dir, log, "local");
    zfs.create("tank/smb/a", "a", 0);
    assertEquals("create -o org.smbgw:share=a -o org.smbgw:state=active -o acltype=posixacl tank/smb/a",
        Files.readAllLines(log).get(1));
    assertEquals("new datasets get acltype=posixacl; inherited as set: xattr (set by an administrator: local)",
        zfs.sambaNote());
  }

  /**
   * A stand-in for OpenZFS's zfs: records each call in {@code log}, answers get with acltype's
   * source "default" and xattr's {@code xattrSource}, and succeeds at everything.
   */
  private Zfs openZfs(Path dir, Path log, String xattrSource) throws Exception {
    Path fake = dir.resolve("zfs");
    Files.writeString(fake, "#!/bin/sh\necho \"$*\" >> " + log + "\ncase \"$1\" in get) printf 'xattr\\t"
        + xattrSource + "\\nacltype\\tdefault\\n' ;; esac\nexit 0\n");
    Files.setPosixFilePermissions(fake, PosixFilePermissions.fromString("rwx------"));
    return new Zfs(runner, fake.toString(), MountTable.proc());
  }
}
