package org.smbgw.coordinator;

import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.nodes.PersistentNode;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.CreateMode;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.common.tls.PeerNames;
import org.smbgw.common.tls.TlsFiles;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.smbgw.coordinator.api.AdminServiceImpl;
import org.smbgw.coordinator.write.ChangeWriter;
import org.smbgw.coordinator.api.LeaderForwarding;
import org.smbgw.coordinator.auth.TokenAuth;
import org.smbgw.coordinator.election.LeaderDuties;
import org.smbgw.coordinator.election.Leadership;
import org.smbgw.coordinator.metrics.CoordinatorMetrics;
import org.smbgw.coordinator.session.AgentSessions;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.coordinator.stats.ShareHistory;
import java.time.Clock;
import java.time.Duration;
import org.smbgw.coordinator.state.UserSeal;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.coordinator.zk.EmbeddedZooKeeper;
import org.smbgw.coordinator.zk.ZooKeeperAccess;
import org.smbgw.proto.v1.AdminServiceGrpc;

/**
 * One coordinator replica. {@link #start()} brings up, in order: ZooKeeper (embedded, when no
 * ensemble is configured), the Curator client, the state layout and view, the election, then the
 * gRPC server (admin API, agent sessions, health, reflection). {@link #close()} sets health to
 * NOT_SERVING and stops them in reverse. Start once.
 */
public final class Coordinator implements AutoCloseable {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Coordinator.class);
  private enum State { NEW, STARTED, CLOSED }

  private final CoordinatorConfig config;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final HealthStatusManager health = new HealthStatusManager();
  private EmbeddedZooKeeper embedded;
  private volatile CuratorFramework zk;
  private ClusterView view;
  private Leadership leadership;
  private LeaderDuties duties;
  private LeaderForwarding forwarding;
  private AgentSessions sessions;
  private org.smbgw.coordinator.ha.AddressDuties addressDuties;
  /** This replica's znode under members/, while it runs. */
  private PersistentNode member;
  private volatile Server server;
  private CoordinatorMetrics metrics;
  private TlsFiles tls;
  /** Reads the TLS files again every {@link #TLS_RELOAD}: a renewed certificate serves new connections. */
  private final ScheduledExecutorService tlsReload = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-tls-reload");
    t.setDaemon(true);
    return t;
  });
  private static final Duration TLS_RELOAD = Duration.ofSeconds(30);
  /** Sends refusals of failed authentication after their delay ({@link TokenAuth}); nothing waits. */
  private final ScheduledExecutorService authTimer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-auth");
    t.setDaemon(true);
    return t;
  });

  /** This replica's monotonic clock in nanoseconds: what lease expiry is measured on. */
  private final java.util.function.LongSupplier ticker;

  public Coordinator(CoordinatorConfig config) {
    this(config, System::nanoTime);
  }

  /** @param ticker this replica's clock (tests move a manual one instead of waiting out leases) */
  public Coordinator(CoordinatorConfig config, java.util.function.LongSupplier ticker) {
    this.config = config.withAdvertise();
    this.ticker = ticker;
  }

  public void start() throws Exception {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("coordinator already started or closed");
    }
    tls = TlsFiles.node(config.tls());
    coversAdvertised(tls, config.advertise());
    log.info("mutual TLS with {}", tls.describe());
    tls.watch(tlsReload, TLS_RELOAD, log::info, log::warn);
    ClusterKey key = clusterKey(config);
    String connect = config.zookeeper();
    if (connect == null || connect.isEmpty()) {
      embedded = new EmbeddedZooKeeper(config.stateDir().resolve("zookeeper"), "127.0.0.1", config.embeddedZooKeeperPort());
      connect = embedded.connectString();
    }
    zk = ZooKeeperAccess.builder(connect, key)
        .sessionTimeoutMs(config.sessionTimeoutMs()).connectionTimeoutMs(Math.min(config.sessionTimeoutMs(), 3000))
        .retryPolicy(new ExponentialBackoffRetry(100, 5, 1000)).build();
    zk.start();
    if (!zk.blockUntilConnected(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("cannot reach ZooKeeper at " + connect);
    }
    int granted = zk.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    if (granted > config.sessionTimeoutMs()) {
      // ZooKeeper clamps sessions to its minSessionTimeout and maxSessionTimeout (by default 2 and
      // 20 of its ticks).
      log.warn("ZooKeeper granted a {} ms session instead of {} ms (sessionTimeoutMs): its tickTime is above {} ms "
          + "(or its minSessionTimeout too high); a failover after the leader's node is cut off takes about {} ms "
          + "longer", granted, config.sessionTimeoutMs(), config.sessionTimeoutMs() / 2,
          granted - config.sessionTimeoutMs());
    } else if (granted < config.sessionTimeoutMs()) {
      log.warn("ZooKeeper granted a {} ms session instead of {} ms (sessionTimeoutMs): its maxSessionTimeout is "
          + "lower (by default 20 of its ticks; the embedded server's is 10 s); a replica loses its session, and its "
          + "leadership, after a shorter stall than asked", granted, config.sessionTimeoutMs());
    }
    int locked = ZooKeeperAccess.lockDown(zk, key, "clusterKey");
    if (locked > 0) {
      log.info("ZooKeeper locked: {} znodes under {} made the coordinators' alone", locked, ZooKeeperAccess.TOP);
    }
    UserSeal seal = new UserSeal(key);
    AtomicReference<CoordinatorMetrics> metricsRef = new AtomicReference<>();
    StateStore store = new StateStore(zk, seal, (took, outcome) -> {
      if (metricsRef.get() != null) {
        metricsRef.get().zookeeperWrite(took, outcome);
      }
    });
    store.ensureLayout();
    view = new ClusterView(zk, seal, ticker);
    ShareHistory history = new ShareHistory(Clock.systemUTC(), Duration.ofMinutes(1), Duration.ofHours(24));
    view.onLive(live -> history.record(live.getObserved()));
    view.start(30_000);
    leadership = new Leadership(zk, config.advertise());
    metrics = new CoordinatorMetrics(view, leadership::isLeader);
    metricsRef.set(metrics);
    ChangeWriter writer = new ChangeWriter(view, store, Clock.systemUTC(), metrics);
    duties = new LeaderDuties(view, writer, config.advertise(), metrics);
    leadership.addListener(duties);
    forwarding = new LeaderForwarding(leadership, tls);
    org.smbgw.coordinator.auth.AuditTrail audit = new org.smbgw.coordinator.auth.AuditTrail(zk, view,
        config.auditRecords(), Clock.systemUTC());
    org.smbgw.coordinator.ha.LeaseSettings leaseSettings = new org.smbgw.coordinator.ha.LeaseSettings(
        Duration.ofMillis(config.leaseMillis()), Duration.ofMillis(config.leaseMarginMillis()));
    addressDuties = new org.smbgw.coordinator.ha.AddressDuties(view, writer, leaseSettings, metrics);
    leadership.addListener(addressDuties);
    // Every refused call, an administrator's or an agent's: counted, and in the audit trail.
    TokenAuth.Listener refusals = (reason, method, from, who, why, request) -> {
      metrics.authRefused(reason);
      audit.refused(reason, method, from, who, why, request);
    };
    sessions = new AgentSessions(view, store, config.advertise(),
        new org.smbgw.coordinator.ha.Leases(zk, view, leaseSettings, config.advertise(), Clock.systemUTC()),
        Clock.systemUTC(), refusals);
    server = Grpc.server(new HostPort(config.listenAddress(), config.listenPort()), tls)
        .addService(ServerInterceptors.intercept(new AdminServiceImpl(view, store, leadership, writer, history, config.vipRanges()),
            audit.interceptor(), new TokenAuth(view, ticker, authTimer, refusals), forwarding, metrics.adminCallTimer()))
        .addService(sessions)
        .addService(health.getHealthService())
        .addService(ProtoReflectionServiceV1.newInstance())
        .permitKeepAliveTime(1, TimeUnit.SECONDS).permitKeepAliveWithoutCalls(true)
        .build().start();
    // The member znode is ephemeral, kept by Curator's recipe: put back by a new session after an
    // expired one, and watched, for an old session's node that ZooKeeper removes only later. (By
    // hand, on Curator's connection-state thread, the create blocked that thread, which also tells
    // the view that the connection is lost again, and it took the old node for its own.)
    member = new PersistentNode(zk, CreateMode.EPHEMERAL, false,
        ZkPaths.MEMBERS + "/" + config.advertise(), config.advertise().getBytes(StandardCharsets.UTF_8));
    member.start();
    if (!member.waitForInitialCreate(20, TimeUnit.SECONDS)) {
      throw new IllegalStateException("cannot register as a member in ZooKeeper within 20 s");
    }
    leadership.start();
    if (config.metricsListen() != null && !config.metricsListen().isEmpty()) {
      metrics.serve(config.metricsListen());
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(AdminServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
  }

  /** The cluster key in {@code clusterKey}, made first when {@link CoordinatorConfig#makesClusterKey}. */
  static ClusterKey clusterKey(CoordinatorConfig config) throws java.io.IOException {
    java.nio.file.Path file = config.clusterKey();
    if (config.makesClusterKey()) {
      try {
        ClusterKey.create(file);
        log.info("made the cluster key {}", file);
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // made meanwhile: read it
      }
    }
    return ClusterKey.read("clusterKey", file);
  }

  /**
   * Peers and agents reach this replica at its advertised host and check that its certificate
   * covers it; one that does not would be refused by all of them, so it does not start.
   */
  static void coversAdvertised(TlsFiles tls, String advertise) {
    String host = HostPort.parse("advertise", advertise, false).host();
    java.util.List<String> names = PeerNames.of(tls.certificate()).names();
    boolean covered = names.stream().anyMatch(n -> n.equalsIgnoreCase(host) || sameAddress(n, host));
    if (!covered) {
      throw new org.smbgw.common.InvalidSpecException(java.util.List.of(new org.smbgw.common.Violation("advertise",
          "this replica's certificate (" + tls.files().cert() + ") does not cover " + host + ", so agents and "
          + "other replicas would refuse it; it covers " + names + ": advertise one of those, or issue a "
          + "certificate that covers " + host + " (smbgw certs issue --address " + host + ")")));
    }
  }

  private static boolean sameAddress(String a, String b) {
    try {
      return a.matches("[0-9a-fA-F.:]+") && b.matches("[0-9a-fA-F.:]+") && (a.contains(":") || a.contains("."))
          && java.net.InetAddress.getByName(a).equals(java.net.InetAddress.getByName(b));
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  public String address() {
    return config.advertise();
  }

  /** Serving gRPC and connected to ZooKeeper (systemd's READY=1). Any thread. */
  public boolean serving() {
    return running() && zk.getZookeeperClient().isConnected();
  }

  /**
   * Its gRPC server runs (systemd's watchdog). Not ZooKeeper's state: a restart cannot bring a
   * quorum back, so an outage shows in the status line instead. Any thread.
   */
  public boolean running() {
    Server s = server;
    return state.get() == State.STARTED && s != null && !s.isShutdown() && zk != null;
  }

  /** One line for {@code systemctl status}, from what this replica knows (no ZooKeeper call). */
  public String statusLine() {
    if (!running()) {
      return "starting";
    }
    if (!zk.getZookeeperClient().isConnected()) {
      return "not connected to ZooKeeper: no leases are granted, addresses go down (no quorum, no addresses)";
    }
    return (leadership.isLeader() ? "leader" : "follower") + " at " + address() + ", "
        + view.live().size() + " agent(s) reporting";
  }

  public Leadership leadership() {
    return leadership;
  }

  public ClusterView view() {
    return view;
  }

  /** Port of the Prometheus endpoint, or -1 when it is off. */
  public int metricsPort() {
    return metrics == null ? -1 : metrics.port();
  }

  public CuratorFramework zk() {
    return zk;
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) != State.STARTED) {
      return;
    }
    health.enterTerminalState();
    if (server != null) {
      server.shutdown();
    }
    closeQuietly(metrics);
    closeQuietly(sessions);
    closeQuietly(forwarding);
    closeQuietly(duties);
    closeQuietly(addressDuties);
    closeQuietly(leadership);
    closeQuietly(view);
    if (member != null && zk.getZookeeperClient().isConnected()) {
      closeQuietly(member); // deletes the znode; without ZooKeeper it would retry, and it goes with the session anyway
    }
    if (server != null) {
      try {
        server.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server.shutdownNow();
    }
    closeQuietly(zk);
    closeQuietly(embedded);
    tlsReload.shutdownNow();
    authTimer.shutdownNow();
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (Exception e) {
      // shutting down: nothing useful to do with it
    }
  }
}
