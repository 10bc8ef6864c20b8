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

    Path none = dir.resolve("no-pki");
    Files.writeString(file, "singleNode: true\ntls: {pveRoot: " + none + ", pki: " + none + "}\n");
    assertTrue(CoordinatorConfig.load(file).missing().isEmpty());
    assertEquals(4, new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString()),
        "a replica that will serve needs its certificate");
    org.smbgw.common.tls.TlsConfig tls = Replicas.PKI.node("c1");
    Files.writeString(file, "singleNode: true\ntls: {ca: " + tls.ca() + ", cert: " + tls.cert() + ", key: " + tls.key() + "}\n");
    assertEquals(0, new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString()));
    Files.writeString(file, "leaseMillis: abc\n");
    assertEquals(4, new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString()));
  }

  @Test
  void theClusterKeyIsLookedForWhereTheServiceIsGivenIt(@TempDir Path dir) throws Exception {
    Path state = dir.resolve("state");
    assertEquals(state.resolve("cluster.key"), CoordinatorConfig.defaultClusterKey(true, state, java.util.Map.of()),
        "a cluster of one keeps it with its state");
    Path credentials = Files.createDirectories(dir.resolve("credentials"));
    java.util.Map<String, String> env = java.util.Map.of("CREDENTIALS_DIRECTORY", credentials.toString());
    Path elsewhere = Files.isDirectory(Path.of("/etc/pve/priv")) ? Path.of("/etc/pve/priv/smbgw/cluster.key")
        : Path.of("/etc/smbgw/cluster.key");
    assertEquals(elsewhere, CoordinatorConfig.defaultClusterKey(false, state, env), "no credential of that name");
    Files.writeString(credentials.resolve("cluster.key"), "x");
    assertEquals(credentials.resolve("cluster.key"), CoordinatorConfig.defaultClusterKey(false, state, env));
    assertEquals(credentials.resolve("cluster.key"), CoordinatorConfig.defaultClusterKey(true, state, env));

    assertTrue(refused(dir, "clusterKey: keys/cluster.key\n").contains("clusterKey: must be an absolute path"));
    Path file = dir.resolve("coordinator.yaml");
    org.smbgw.common.tls.TlsConfig tls = Replicas.PKI.node("c1");
    Files.writeString(file, "zookeeper: zk1:2181\nclusterKey: " + dir.resolve("none.key") + "\ntls: {ca: " + tls.ca()
        + ", cert: " + tls.cert() + ", key: " + tls.key() + "}\n");
    assertEquals(4, new picocli.CommandLine(new CoordinatorMain()).execute("check-config", file.toString()),
        "a replica of a larger cluster must be given the key before it starts");
  }

  @Test
  void goodValuesAreRead(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("coordinator.yaml");
    Files.writeString(file, "listen: \"[::]:7401\"\nadvertise: \"[fd00::7]:7401\"\nleaseMillis: 3000\n"
        + "zookeeper: zk1:2181, zk2:2181/smbgw\n");
    CoordinatorConfig c = CoordinatorConfig.load(file);
    assertEquals("::", c.listenAddress());
    assertEquals(7401, c.listenPort());
    assertEquals(3000, c.leaseMillis());
    assertEquals("[fd00::7]:7401", c.advertise());
    assertEquals("zk1:2181,zk2:2181/smbgw", c.zookeeper(), "spaces after commas dropped, the chroot kept");
  }

  @Test
  void aReplicaListeningEverywhereAdvertisesAnAddressPeersReachNeverLoopback() {
    CoordinatorConfig everywhere = new CoordinatorConfig("0.0.0.0", 7400, null, "zk:2181", 0, Path.of("/x"), 2000,
        "", 2000, 150, "text");
    assertEquals("10.1.2.3:7400", everywhere.withAdvertise(() -> java.util.Optional.of("10.1.2.3")).advertise());
    assertEquals("[fd00::5]:7400", everywhere.withAdvertise(() -> java.util.Optional.of("fd00::5")).advertise());
    InvalidSpecException e = assertThrows(
        InvalidSpecException.class, () -> everywhere.withAdvertise(java.util.Optional::empty));
    assertTrue(e.getMessage().contains("advertise") && e.getMessage().contains("must be set"), e.getMessage());
    CoordinatorConfig one = new CoordinatorConfig("127.0.0.1", 7400, null, "", 0, Path.of("/x"), 2000, "", 2000, 150,
        "text");
    assertEquals("127.0.0.1:7400", one.withAdvertise(() -> java.util.Optional.of("10.1.2.3")).advertise(),
        "a replica listening on one address advertises that one");
    CoordinatorConfig alone = new CoordinatorConfig("0.0.0.0", 7400, null, "", 0, Path.of("/x"), 2000, "", 2000, 150,
        "text");
    assertEquals("127.0.0.1:7400", alone.withAdvertise(java.util.Optional::empty).advertise(),
        "a cluster of one with nothing but loopback");
  }

  @Test
  void theHostAddressIsTheDefaultRoutesInterfacesIpv4BeforeIpv6AndNeverLoopbackOrLinkLocal() throws Exception {
    java.net.InetAddress lo = java.net.InetAddress.getByName("127.0.0.1");
    java.net.InetAddress linkLocal = java.net.InetAddress.getByName("fe80::1");
    java.net.InetAddress v6 = java.net.InetAddress.getByName("fd00::2");
    java.net.InetAddress lan = java.net.InetAddress.getByName("192.0.2.2");
    java.net.InetAddress storage = java.net.InetAddress.getByName("198.51.100.4");
    java.net.InetAddress floating = java.net.InetAddress.getByName("192.0.2.50");
    // As the JDK lists them: the floating address the agent added last comes first.
    var eth0 = new HostAddress.Interface("eth0", 2, java.util.List.of(floating, linkLocal, v6, lan));
    var eth1 = new HostAddress.Interface("eth1", 3, java.util.List.of(storage));
    var loop = new HostAddress.Interface("lo", 1, java.util.List.of(lo));
    assertEquals(java.util.Optional.of("198.51.100.4"), HostAddress.choose(java.util.Optional.of("eth1"),
        java.util.List.of(loop, eth0, eth1)), "the default route's interface first");
    assertEquals(java.util.Optional.of("192.0.2.2"), HostAddress.choose(java.util.Optional.empty(),
        java.util.List.of(loop, eth0, eth1)), "then by index, IPv4 first");
    assertEquals(java.util.Optional.of("fd00:0:0:0:0:0:0:2"), HostAddress.choose(java.util.Optional.empty(),
        java.util.List.of(new HostAddress.Interface("eth0", 2, java.util.List.of(linkLocal, v6)))));
    assertEquals(java.util.Optional.empty(), HostAddress.choose(java.util.Optional.empty(),
        java.util.List.of(loop, new HostAddress.Interface("eth0", 2, java.util.List.of(linkLocal)))));
  }

  @Test
  void theDefaultRouteIsReadFromTheKernelsRouteTable(@TempDir Path dir) throws Exception {
    Path routes = dir.resolve("route");
    Files.writeString(routes, "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
        + "vmbr1\t0064A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
        + "vmbr0\t00000000\t0100000A\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
    assertEquals(java.util.Optional.of("vmbr0"), HostAddress.defaultRouteInterface(routes));
    assertEquals(java.util.Optional.of(java.net.InetAddress.getByName("10.0.0.1")), HostAddress.defaultGateway(routes));
  }
}
