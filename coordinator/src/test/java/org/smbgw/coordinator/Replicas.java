package org.smbgw.coordinator;

import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.common.testing.FreePorts;
import org.smbgw.common.testing.TestPki;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;
import org.smbgw.proto.v1.AgentHello;
import org.smbgw.proto.v1.AgentMessage;
import org.smbgw.proto.v1.AgentServiceGrpc;
import org.smbgw.proto.v1.CoordinatorMessage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.StorageOffer;

/**
 * A real three-server ZooKeeper ensemble and coordinator replicas on loopback ports; closed in
 * reverse, even when a test fails.
 */
final class Replicas implements AutoCloseable {
  /**
   * The throwaway CA of every replica and agent of this test JVM (replica i is node c{i}),
   * removed when the JVM exits.
   */
  static final TestPki PKI = TestPki.create();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(PKI::close, "smbgw-test-pki-cleanup"));
  }

  /** The test clusters' admin token in a file only its owner may read, for the CLI's --token-file; removed at exit. */
  static final Path TOKEN_FILE = tokenFile();

  private static Path tokenFile() {
    try {
      Path f = org.smbgw.common.testing.TestTokens.file(Files.createTempFile("smbgw-test-token-", ""),
          org.smbgw.common.testing.TestTokens.ADMIN);
      f.toFile().deleteOnExit();
      return f;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** An administrator's channel to a replica: the CLI's TLS (checks the replica, presents no certificate). */
  static ManagedChannel channel(String address) {
    return channel(address, org.smbgw.common.testing.TestTokens.ADMIN);
  }

  /** A channel whose calls carry {@code token} (null: none). */
  static ManagedChannel channel(String address, String token) {
    return Grpc.channel(HostPort.parse("replica", address, false), false, PKI.client(), token == null
        ? new io.grpc.ClientInterceptor[0] : new io.grpc.ClientInterceptor[] {org.smbgw.common.testing.TestTokens.bearer(token)});
  }

  private int made;
  final TestingCluster zk = new TestingCluster(ensemble(3));
  final List<Coordinator> coordinators = new ArrayList<>();
  final List<AutoCloseable> closeables = new ArrayList<>();
  private final List<Path> dirs = new ArrayList<>();
  /** Curator's test servers leave ZooKeeper configuration files behind: see {@link ZooKeeperLeftovers}. */
  private final java.util.Set<Path> zkConfigsBefore = ZooKeeperLeftovers.present();

  private boolean zkStarted;

  /** Starts the ZooKeeper ensemble alone (once: a second start would leave another set of directories behind). */
  Replicas startZooKeeper() throws Exception {
    if (!zkStarted) {
      zk.start();
      zkStarted = true;
    }
    return this;
  }

  Replicas start(int n) throws Exception {
    startZooKeeper();
    // The cluster's first admin token, as root would mint it on a coordinator node.
    try (org.apache.curator.framework.CuratorFramework c = TestKeys.client(zk.getConnectString())) {
      LocalTokens.grant(c, org.smbgw.common.testing.TestTokens.ADMIN, org.smbgw.proto.v1.Role.ROLE_ADMIN, "test", true);
    }
    for (int i = 0; i < n; i++) {
      add();
    }
    return this;
  }

  /** Every replica's clock; tests that move time by hand set their own. */
  private java.util.function.LongSupplier ticker = System::nanoTime;

  /** Replicas made after this run on {@code clock} (one clock for all: they share a machine). */
  Replicas ticker(java.util.function.LongSupplier clock) {
    this.ticker = clock;
    return this;
  }

  Coordinator add() throws Exception {
    Coordinator c = new Coordinator(config(), ticker);
    c.start();
    coordinators.add(c);
    return c;
  }

  CoordinatorConfig config() throws Exception {
    return new CoordinatorConfig("127.0.0.1", FreePorts.one(), null, zk.getConnectString(), 0, tempDir(), 3000, "127.0.0.1:0", 2000, 250, "text")
        .withTls(PKI.node("c" + (++made))).withClusterKey(keyFile()).withAdvertise();
  }

  private Path keyFile;

  /** The replicas' one cluster key file. */
  private Path keyFile() throws Exception {
    if (keyFile == null) {
      keyFile = TestKeys.file(tempDir());
    }
    return keyFile;
  }

  /** A temporary directory removed when the replicas close. */
  Path tempDir() throws Exception {
    Path d = Files.createTempDirectory("smbgw-coord-");
    dirs.add(d);
    return d;
  }

  /**
   * {@code servers} ZooKeeper servers whose client, election and quorum ports are picked together:
   * Curator's own specs pick each alone and can give one server the same port twice.
   */
  static List<InstanceSpec> ensemble(int servers) {
    int[] ports = FreePorts.distinct(3 * servers);
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 0; i < servers; i++) {
      specs.add(new InstanceSpec(null, ports[3 * i], ports[3 * i + 1], ports[3 * i + 2], true, i + 1));
    }
    return specs;
  }

  /** Waits until exactly one live replica leads; returns it. */
  Coordinator awaitLeader(Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      List<Coordinator> leaders = coordinators.stream().filter(c -> c.leadership().isLeader()).toList();
      if (leaders.size() == 1) {
        return leaders.get(0);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no single leader within " + timeout);
  }

  Coordinator follower() throws Exception {
    Coordinator leader = awaitLeader(Duration.ofSeconds(20));
    return coordinators.stream().filter(c -> c != leader).findFirst().orElseThrow();
  }

  /**
   * Speaks the agent protocol for a node offering {@code storages}: the control-plane tests need
   * nodes with storage but no Samba. Keeps the desired states it receives.
   */
  FakeAgent agent(String node, String address, StorageOffer... storages) throws Exception {
    FakeAgent a = new FakeAgent(node, address, List.of(storages));
    closeables.add(a);
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (coordinators.stream().anyMatch(c -> !c.view().live().containsKey(node))) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("node " + node + " never showed up as connected");
      }
      Thread.sleep(20);
    }
    return a;
  }

  static final class FakeAgent implements AutoCloseable {
    final List<NodeDesiredState> received = new CopyOnWriteArrayList<>();
    final List<org.smbgw.proto.v1.LeaseGrant> grants = new CopyOnWriteArrayList<>();
    private final ManagedChannel channel;
    private final StreamObserver<AgentMessage> out;

    /** How the stream ended, if the replica ended it. */
    final java.util.concurrent.atomic.AtomicReference<Throwable> error = new java.util.concurrent.atomic.AtomicReference<>();

    FakeAgent(String node, String address, List<StorageOffer> storages) {
      this(node, address, storages, PKI.files(node));
    }

    /** An agent of {@code node} presenting {@code tls}'s certificate (another node's, or none). */
    FakeAgent(String node, String address, List<StorageOffer> storages, org.smbgw.common.tls.TlsFiles tls) {
      channel = Grpc.channel(HostPort.parse("replica", address, false), false, tls);
      out = AgentServiceGrpc.newStub(channel).session(new StreamObserver<>() {
        public void onNext(CoordinatorMessage m) {
          if (m.hasDesired()) {
            received.add(m.getDesired());
          } else if (m.hasGrant()) {
            grants.add(m.getGrant());
          }
        }

        public void onError(Throwable t) {
          error.set(t);
        }

        public void onCompleted() { }
      });
      out.onNext(AgentMessage.newBuilder().setHello(AgentHello.newBuilder().setNode(node).setIncarnation("test")
          .setInventory(NodeInventory.newBuilder().addAllStorages(storages))).build());
    }

    /** Sends a lease renewal and waits for its grant. */
    org.smbgw.proto.v1.LeaseGrant renew(long seq, org.smbgw.proto.v1.LeaseRenewal.Builder r)
        throws InterruptedException {
      return renew(seq, r, Duration.ofSeconds(10))
          .orElseThrow(() -> new AssertionError("renewal " + seq + " not answered"));
    }

    /** Sends a lease renewal and waits at most {@code patience} for its grant (an agent gives up after L/8). */
    synchronized Optional<org.smbgw.proto.v1.LeaseGrant> renew(long seq, org.smbgw.proto.v1.LeaseRenewal.Builder r,
        Duration patience) throws InterruptedException {
      out.onNext(AgentMessage.newBuilder().setRenewal(r.setSeq(seq)).build());
      long deadline = System.nanoTime() + patience.toNanos();
      while (System.nanoTime() < deadline) {
        for (org.smbgw.proto.v1.LeaseGrant g : grants) {
          if (g.getSeq() == seq) {
            return Optional.of(g);
          }
        }
        Thread.sleep(5);
      }
      return Optional.empty();
    }

    Optional<NodeDesiredState> latest() {
      return received.isEmpty() ? Optional.empty() : Optional.of(received.get(received.size() - 1));
    }

    @Override
    public void close() {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // stream already gone
      }
      channel.shutdownNow();
    }
  }

  static StorageOffer localZfs() {
    return StorageOffer.newBuilder().setId("local-zfs").setType("zfspool").setZfsParent("rpool/data")
        .setFreeBytes(1L << 40).build();
  }

  @Override
  public void close() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
    for (int i = coordinators.size() - 1; i >= 0; i--) {
      coordinators.get(i).close();
    }
    zk.close();
    if (!zkStarted) {
      // Curator made the servers' directories when the ensemble was made; only a started server removes its own.
      for (org.apache.curator.test.InstanceSpec spec : zk.getInstances()) {
        try (var files = Files.walk(spec.getDataDirectory().toPath())) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
    ZooKeeperLeftovers.removeNewSince(zkConfigsBefore);
    for (Path d : dirs) {
      try (var files = Files.walk(d)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      }
    }
  }
}
