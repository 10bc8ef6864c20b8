package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.common.InvalidSpecException;

/** A bad setting is an error naming it, never its default in disguise. */
class CoordinatorConfigTest {
  private static String refused(Path dir, String yaml) throws Exception {
    Path file = dir.resolve("coordinator.yaml");
    Files.writeString(file, yaml);
    return assertThrows(InvalidSpecException.class, () -> CoordinatorConfig.load(file)).getMessage();
  }

  @Test
  void aBadValueIsRefusedNamingItsKey(@TempDir Path dir) throws Exception {
    assertTrue(refused(dir, "leaseMillis: abc\n").contains("leaseMillis"));
    assertTrue(refused(dir, "leaseMillis: 500\n").contains("whole seconds"));
    assertTrue(refused(dir, "listen: 7400\n").contains("listen"));
    assertTrue(refused(dir, "zookeeper: zk1:2181,zk2\n").contains("zookeeper"));
    assertTrue(refused(dir, "leaseMilis: 2000\n").contains("unknown setting"));
    assertTrue(refused(dir, "stateDir: [a, b]\n").contains("stateDir"));
    assertTrue(refused(dir, "leaseMillis: 2000\nleaseMillis: 3000\n").contains("leaseMillis"), "a key written twice");
    assertTrue(refused(dir, "singleNode: true\nzookeeper: zk1:2181\n").contains("singleNode"));
    assertTrue(refused(dir, "zookeeper: zk1:2181/smbgw v1\n").contains("chroot"));
  }

  @Test
  void withoutAnEnsembleOrSingleNodeTheReplicaWaitsAndCheckConfigSaysWhy(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("coordinator.yaml");
    Files.writeString(file, "# everything at its default\n");
    assertTrue(CoordinatorConfig.load(file).missing().orElseThrow().contains("singleNode"));
    java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
    java.io.PrintStream saved = System.err;
    int code;
    try {
      System.setErr(new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      code = new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString());
    } finally {
      System.setErr(saved);
    }
    assertEquals(0, code, "valid, only waiting: the unit's ExecStartPre must let it start and wait");
    assertTrue(err.toString(java.nio.charset.StandardCharsets.UTF_8).contains("warning") && err.toString().contains("zookeeper"),
        err.toString());

    Files.writeString(file, "singleNode: true\n");
    assertTrue(CoordinatorConfig.load(file).missing().isEmpty());
    assertEquals(0, new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString()));
    Files.writeString(file, "leaseMillis: abc\n");
    assertEquals(4, new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString()));
  }

  @Test
  void goodValuesAreRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("coordinator.yaml");
    Files.writeString(file, "listen: \"[::]:7401\"\nleaseMillis: 3000\nzookeeper: zk1:2181, zk2:2181/smbgw\n");
    CoordinatorConfig c = CoordinatorConfig.load(file);
    assertEquals("::", c.listenAddress());
    assertEquals(7401, c.listenPort());
    assertEquals(3000, c.leaseMillis());
    assertEquals("127.0.0.1:7401", c.advertise());
    assertEquals("zk1:2181,zk2:2181/smbgw", c.zookeeper(), "spaces after commas dropped, the chroot kept");
  }
}
