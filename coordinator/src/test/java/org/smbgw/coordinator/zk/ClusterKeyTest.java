package org.smbgw.coordinator.zk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.common.InvalidSpecException;

/** The cluster key file: made 0600 and never twice, refused when others may read it or when it is not a key. */
class ClusterKeyTest {
  @TempDir
  Path dir;

  private static String refusal(Path file) {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> ClusterKey.read("clusterKey", file));
    assertEquals("clusterKey", e.violations().get(0).field());
    return e.violations().get(0).rule();
  }

  @Test
  void madeOwnerOnlyInADirectoryOfItsOwnAndNeverOverAnExistingOne() throws Exception {
    Path file = dir.resolve("priv/smbgw/cluster.key");
    ClusterKey made = ClusterKey.create(file);
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    assertArrayEquals(made.derive("x"), ClusterKey.read("clusterKey", file).derive("x"));
    byte[] before = Files.readAllBytes(file);
    assertThrows(FileAlreadyExistsException.class, () -> ClusterKey.create(file));
    assertArrayEquals(before, Files.readAllBytes(file));
    try (var left = Files.list(file.getParent())) {
      assertEquals(1, left.count(), "no temporary file is left behind");
    }
  }

  @Test
  void aMissingFileSaysHowToMakeOne() {
    String why = refusal(dir.resolve("cluster.key"));
    assertTrue(why.contains("does not exist") && why.contains("smbgw-coordinator cluster-key init"), why);
  }

  @Test
  void aFileOthersMayReadIsRefused() throws Exception {
    Path file = dir.resolve("cluster.key");
    ClusterKey.create(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    String why = refusal(file);
    assertTrue(why.contains("may be read by others") && why.contains("chmod 600"), why);
  }

  @Test
  void aFileThatIsNotAKeyIsRefused() throws Exception {
    for (String text : new String[] {"not base64 at all!\n", "c2hvcnQ=\n", ""}) {
      Path file = dir.resolve("k" + text.length());
      Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(
          PosixFilePermissions.fromString("rw-------"))), text);
      assertTrue(refusal(file).contains(text.isEmpty() ? "is empty" : "is not a cluster key"), text);
    }
    Files.createDirectory(dir.resolve("a-directory"));
    assertTrue(refusal(dir.resolve("a-directory")).contains("not a regular file"));
  }

  @Test
  void eachPurposeGetsAKeyOfItsOwn() {
    ClusterKey key = ClusterKey.of(new byte[32]);
    assertFalse(Arrays.equals(key.derive("zookeeper/smbgw-coordinator"), key.derive("zookeeper/smbgw-ctdb")));
    assertFalse(ZooKeeperAccess.password(key, ZooKeeperAccess.COORDINATOR)
        .equals(ZooKeeperAccess.password(key, ZooKeeperAccess.CTDB)));
    assertArrayEquals(key.derive("a"), ClusterKey.of(new byte[32]).derive("a"));
    byte[] other = new byte[32];
    other[0] = 1;
    assertFalse(Arrays.equals(key.derive("a"), ClusterKey.of(other).derive("a")));
  }
}
