package org.smbgw.e2e.bench;

import org.smbgw.common.testing.TestPki;

import static org.smbgw.e2e.bench.Bench.figure;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.smbgw.common.testing.FreePorts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.TestDirs;
import org.smbgw.cli.Smbgw;
import org.smbgw.coordinator.Coordinator;
import org.smbgw.coordinator.CoordinatorConfig;
import org.smbgw.coordinator.CoordinatorMain;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;

/** The control plane: placement at scale, apply end to end, and leader failover after SIGKILL. */
final class CoordinatorBench {
  private CoordinatorBench() {}

  static void run() throws Exception {
    placement();
    apply1000();
    failover();
  }

  private static void placement() {
    List<Candidate> nodes = new ArrayList<>();
    for (int n = 0; n < 100; n++) {
      nodes.add(new Candidate("pve" + n, true, false, List.of(
          StorageOffer.newBuilder().setId("local-zfs").setType("zfspool").setZfsParent("rpool/data").setFreeBytes(1L << 44).build(),
          StorageOffer.newBuilder().setId("cephfs").setType("cephfs").setPath("/mnt/pve/cephfs/smbgw")
              .setFreeBytes(1L << 46).setShared(true).build())));
    }
    List<ShareSpec> shares = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      shares.add(ShareSpec.newBuilder().setName("share" + i).setQuotaBytes(10L << 30)
          .setStorage(Storage.newBuilder().setPve(i % 3 == 0 ? "cephfs" : "local-zfs")).build());
    }
    Placer placer = new Placer();
    long[] times = new long[7];
    Placer.Result r = null;
    for (int i = 0; i < times.length; i++) {
      long t = System.nanoTime();
      r = placer.place(shares, Map.of(), nodes);
      times[i] = System.nanoTime() - t;
    }
    if (r.placed().size() != shares.size()) {
      System.out.println("coordinator.place_10000x100 not measured: " + r.unplaceable().size() + " shares unplaced");
      return;
    }
    Arrays.sort(times);
    System.out.println("# coordinator.place_10000x100: median of 7 runs, from empty (every share placed)");
    figure("coordinator.place_10000x100", times[times.length / 2] / 1e6, "ms");
    long t = System.nanoTime();
    placer.place(shares, r.placed(), nodes);
    figure("coordinator.place_10000x100_stable", (System.nanoTime() - t) / 1e6, "ms");
  }

  /** The benchmark's throwaway CA: replicas are node "c", the agent is node "test". Removed at exit. */
  private static final TestPki PKI = TestPki.create();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(PKI::close, "smbgw-bench-pki-cleanup"));
  }

  /** The benchmark's admin token (the test clusters' one), in a file only root may read; removed at exit. */
  private static final Path TOKEN = tokenFile();

  private static Path tokenFile() {
    try {
      Path f = org.smbgw.common.testing.TestTokens.file(Files.createTempFile("smbgw-bench-token-", ""),
          org.smbgw.common.testing.TestTokens.ADMIN);
      f.toFile().deleteOnExit();
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Gives the cluster whose ZooKeeper is at {@code connect} the benchmark's admin token, as root would. */
  private static void grantAdmin(String connect, org.smbgw.coordinator.zk.ClusterKey key) throws Exception {
    try (org.apache.curator.framework.CuratorFramework zk = org.smbgw.coordinator.zk.ZooKeeperAccess.builder(connect, key)
        .retryPolicy(new org.apache.curator.retry.RetryOneTime(200)).build()) {
      zk.start();
      org.smbgw.coordinator.LocalTokens.grant(zk, org.smbgw.common.testing.TestTokens.ADMIN,
          org.smbgw.proto.v1.Role.ROLE_ADMIN, "bench", true);
    }
  }

  /** 1,000 shares through 'smbgw apply' until the node reports every one served. */
  private static void apply1000() throws Exception {
    Path state = Files.createTempDirectory("smbgw-bench-coord-");
    Path dirs = Files.createTempDirectory("smbgw-bench-dirs-", TestDirs.TRAVERSABLE);
    int[] ports = FreePorts.distinct(2); // gRPC, the embedded ZooKeeper
    int zkPort = ports[1];
    CoordinatorConfig config = new CoordinatorConfig("127.0.0.1", ports[0], null, "", zkPort, state, 2000, "", 2000, 250,
        "text").withTls(PKI.node("c"));
    try (Coordinator c = new Coordinator(config);
         SandboxAgent node = new SandboxAgent()) {
      c.start();
      // A cluster of one made its key at start.
      grantAdmin("127.0.0.1:" + zkPort, org.smbgw.coordinator.zk.ClusterKey.read("clusterKey", config.clusterKey()));
      node.coordinators(List.of(c.address())).tls(PKI.node("test")).looping(30)
          .storageCfg("dir: bench\n\tpath " + dirs + "\n\tcontent images\n").start();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!c.view().live().containsKey("test") && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      StringBuilder yaml = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        yaml.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: s").append(i)
            .append("}\nspec:\n  storage: {pve: bench}\n  read: {groups: [staff]}\n");
      }
      Path file = state.resolve("shares.yaml");
      Files.writeString(file, yaml);
      long start = System.nanoTime();
      StringWriter err = new StringWriter();
      int code = Smbgw.run(new String[] {"--coordinator", c.address(), "--ca", PKI.ca().toString(), "--token-file",
          TOKEN.toString(), "apply", "-f", file.toString()},
          new PrintWriter(new StringWriter()), new PrintWriter(err));
      double applied = (System.nanoTime() - start) / 1e9;
      if (code != 0) {
        System.out.println("coordinator.apply_1000 not measured: smbgw apply failed: " + err);
        return;
      }
      deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (System.nanoTime() < deadline && active(c.view().live().get("test")) < 1000) {
        Thread.sleep(50);
      }
      double served = (System.nanoTime() - start) / 1e9;
      if (active(c.view().live().get("test")) < 1000) {
        System.out.println("coordinator.apply_1000 not measured: not all shares became active in 300 s");
        return;
      }
      System.out.println("# coordinator.apply_1000: from 'smbgw apply' of 1,000 directory shares until the agent "
          + "reports all served (the call itself returned after " + String.format("%.2f", applied) + " s)");
      figure("coordinator.apply_1000", 1000 / served, "shares/s");
    } finally {
      TestDirs.delete(state);
      TestDirs.delete(dirs);
    }
  }

  private static long active(LiveNode live) {
    return live == null ? 0 : live.getObserved().getSharesList().stream()
        .filter(s -> s.getState() == ShareState.SHARE_STATE_ACTIVE).count();
  }

  private static java.util.Set<Path> zkConfigs() throws java.io.IOException {
    java.util.Set<Path> found = new java.util.HashSet<>();
    try (var files = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
        "zookeeper.configuration*.properties")) {
      files.forEach(found::add);
    }
    return found;
  }

  private static void removeNewZkConfigs(java.util.Set<Path> before) throws java.io.IOException {
    for (Path p : zkConfigs()) {
      if (!before.contains(p)) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** SIGKILL of the leader's JVM until an admin call through a surviving replica succeeds. */
  private static void failover() throws Exception {
    // ports picked together: Curator's own picks, one at a time, can give one server a port twice
    int[] ports = FreePorts.distinct(9);
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      specs.add(new InstanceSpec(null, ports[3 * i], ports[3 * i + 1], ports[3 * i + 2], true, i + 1, 500, -1, new HashMap<>()));
    }
    List<Double> runs = new ArrayList<>();
    java.util.Set<Path> configsBefore = zkConfigs();
    Path keyDir = Files.createTempDirectory("smbgw-bench-key-");
    Path keyFile = keyDir.resolve("cluster.key");
    try (TestingCluster zk = new TestingCluster(specs)) {
      zk.start();
      grantAdmin(zk.getConnectString(), org.smbgw.coordinator.zk.ClusterKey.create(keyFile));
      for (int run = 0; run < 5; run++) {
        Path dir = Files.createTempDirectory("smbgw-bench-failover-");
        int port = FreePorts.one();
        Files.writeString(dir.resolve("c.yaml"), "listen: 127.0.0.1:" + port + "\nzookeeper: " + zk.getConnectString()
            + "\nstateDir: " + dir + "\nmetricsListen: \"\"\nclusterKey: " + keyFile + "\n"
            + "tls: {pki: " + PKI.node("c").cert().getParent() + ", pveRoot: " + dir.resolve("no-pve") + "}\n");
        Process leader = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"), CoordinatorMain.class.getName(), "run", "-c", dir.resolve("c.yaml").toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile()).start();
        try {
          String address = "127.0.0.1:" + port;
          if (!until(30, () -> cli(address, "status").contains("leader        " + address))) {
            System.out.println("coordinator.leader_failover not measured: the first replica never led");
            return;
          }
          try (Coordinator survivor = new Coordinator(new CoordinatorConfig("127.0.0.1", FreePorts.one(), null,
              zk.getConnectString(), 0, dir.resolve("survivor"), 2000, "", 2000, 250, "text").withTls(PKI.node("c"))
              .withClusterKey(keyFile))) {
            survivor.start();
            Thread.sleep(500);
            long t = System.nanoTime();
            leader.destroyForcibly();
            boolean ok = until(60, () -> cli(survivor.address(), "user", "list").startsWith("0"));
            if (!ok) {
              System.out.println("coordinator.leader_failover not measured: no admin call succeeded within 60 s");
              return;
            }
            runs.add((System.nanoTime() - t) / 1e9);
          }
        } finally {
          leader.destroyForcibly().waitFor();
          TestDirs.delete(dir);
        }
      }
    } finally {
      // ZooKeeper's embedded servers write one of these per start and never remove it.
      removeNewZkConfigs(configsBefore);
      Files.deleteIfExists(keyFile);
      Files.deleteIfExists(keyDir);
    }
    runs.sort(Double::compare);
    System.out.println("# coordinator.leader_failover: SIGKILL of the leader's JVM until 'smbgw user list' through "
        + "another replica succeeds; 2 s ZooKeeper sessions; 5 runs: " + runs);
    figure("coordinator.leader_failover", runs.get(runs.size() / 2), "s");
    figure("coordinator.leader_failover_max", runs.get(runs.size() - 1), "s");
  }

  private static String cli(String address, String... args) {
    List<String> all = new ArrayList<>(List.of("--coordinator", address, "--ca", PKI.ca().toString(), "--token-file",
        TOKEN.toString(), "--timeout", "2"));
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    int code = Smbgw.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(new StringWriter()));
    return code + "\n" + out;
  }

  private interface Check {
    boolean ok() throws Exception;
  }

  private static boolean until(int seconds, Check check) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (check.ok()) {
        return true;
      }
      Thread.sleep(20);
    }
    return false;
  }


}
