package org.smbgw.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.common.HostPort;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Settings;
import org.smbgw.common.Violation;
import org.smbgw.common.tls.TlsConfig;

/**
 * {@code /etc/smbgw/coordinator.yaml}.
 *
 * @param listen address and port of the gRPC server (admin API and agent sessions)
 * @param advertise how other replicas and agents reach this one (host:port)
 * @param zookeeper an ensemble's connect string; empty for an embedded single server
 * @param embeddedZooKeeperPort client port of the embedded server
 * @param metricsListen address:port of the Prometheus endpoint; empty to turn it off
 * @param leaseMillis node lease length L (default 2000)
 * @param leaseMarginMillis what the leader waits beyond L before moving a silent node's addresses
 * @param logFormat text (default) or json (one object per line)
 * @param singleNode with no {@code zookeeper}: run an embedded ZooKeeper, a cluster of one. Off by
 *     default, so that coordinators installed on three nodes never become three clusters.
 * @param vipRanges networks (CIDR) floating addresses must lie in; empty: any address the other
 *     rules allow (set it: it keeps a typo from taking over someone else's address)
 * @param tls the CA, certificate and key this replica serves and forwards with (mutual TLS)
 * @param auditRecords how many audit records to keep (the oldest are dropped)
 * @param clusterKey the coordinators' shared secret ({@link org.smbgw.coordinator.zk.ClusterKey}):
 *     it opens ZooKeeper and seals users' NT hashes; see {@link #defaultClusterKey}
 */
public record CoordinatorConfig(String listenAddress, int listenPort, String advertise, String zookeeper,
    int embeddedZooKeeperPort, Path stateDir, int sessionTimeoutMs, String metricsListen, int leaseMillis,
    int leaseMarginMillis, String logFormat, boolean singleNode, List<String> vipRanges, TlsConfig tls,
    int auditRecords, Path clusterKey) {

  public CoordinatorConfig {
    vipRanges = List.copyOf(vipRanges);
  }

  /** The same configuration with these {@code vipRanges}. */
  public CoordinatorConfig withVipRanges(List<String> ranges) {
    return new CoordinatorConfig(listenAddress, listenPort, advertise, zookeeper, embeddedZooKeeperPort, stateDir,
        sessionTimeoutMs, metricsListen, leaseMillis, leaseMarginMillis, logFormat, singleNode, ranges, tls, auditRecords, clusterKey);
  }

  /** The same configuration with these TLS files. */
  public CoordinatorConfig withTls(TlsConfig files) {
    return new CoordinatorConfig(listenAddress, listenPort, advertise, zookeeper, embeddedZooKeeperPort, stateDir,
        sessionTimeoutMs, metricsListen, leaseMillis, leaseMarginMillis, logFormat, singleNode, vipRanges, files,
        auditRecords, clusterKey);
  }

  /** The same configuration with this cluster key file. */
  public CoordinatorConfig withClusterKey(Path file) {
    return new CoordinatorConfig(listenAddress, listenPort, advertise, zookeeper, embeddedZooKeeperPort, stateDir,
        sessionTimeoutMs, metricsListen, leaseMillis, leaseMarginMillis, logFormat, singleNode, vipRanges, tls,
        auditRecords, file);
  }

  /**
   * A configuration made in code (tests, benchmarks): an empty {@code zookeeper} means embedded;
   * the TLS files are the defaults until {@link #withTls}; the cluster key is {@code cluster.key}
   * in the state directory until {@link #withClusterKey} (replicas of one cluster need one key).
   */
  public CoordinatorConfig(String listenAddress, int listenPort, String advertise, String zookeeper,
      int embeddedZooKeeperPort, Path stateDir, int sessionTimeoutMs, String metricsListen, int leaseMillis,
      int leaseMarginMillis, String logFormat) {
    this(listenAddress, listenPort, advertise, zookeeper, embeddedZooKeeperPort, stateDir, sessionTimeoutMs,
        metricsListen, leaseMillis, leaseMarginMillis, logFormat, zookeeper == null || zookeeper.isEmpty(), List.of(),
        TlsConfig.defaults(), AUDIT_RECORDS, stateDir.resolve("cluster.key"));
  }

  /**
   * Whether this replica makes the cluster key at its start: a cluster of one whose key file does
   * not exist yet (nobody else could hold another). Any other replica must be given it.
   */
  public boolean makesClusterKey() {
    return singleNode && !java.nio.file.Files.exists(clusterKey, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  /** What to configure before this replica may start; empty when it may. */
  public java.util.Optional<String> missing() {
    return (zookeeper == null || zookeeper.isEmpty()) && !singleNode
        ? java.util.Optional.of("not configured: set zookeeper: (the ensemble, host:port,...) or singleNode: true")
        : java.util.Optional.empty();
  }

  private static final String[] KNOWN = {"listen", "advertise", "zookeeper", "embeddedZooKeeperPort",
      "stateDir", "sessionTimeoutMs", "metricsListen", "leaseMillis", "leaseMarginMillis", "logFormat", "singleNode",
      "vipRanges", "tls", "auditRecords", "clusterKey"};

  /**
   * The default ZooKeeper session timeout. A replica cut off from the others loses its session
   * after it, and only then can another lead and move the cut-off node's addresses: at 1500 ms that
   * happens before the node's lease (L + margin, 2150 ms) runs out, so losing the leader's node
   * fails over as fast as losing any node (measured: partition_leader p50 2.33 s against 2.99 s
   * at 2000 ms; no false failover in 300 s of CPU and memory load; 2.39 s again once agents kept
   * their addresses for the whole lease and resent renewals lost with a dead replica, which is
   * what had made the lab lose leases under CI's load at 1500 ms). ZooKeeper grants at least two
   * of its ticks: the ensemble's tickTime must be at most 750 ms, and 100 ms is recommended, for
   * ZooKeeper ends a session on its first tick after the timeout (partition_leader p50 2.87 s at
   * a 500 ms tick, 2.52 s at 100 ms).
   */
  public static final int SESSION_MS = 1500;
  /** Audit records kept by default. */
  public static final int AUDIT_RECORDS = 10_000;

  public static CoordinatorConfig defaults() {
    return new CoordinatorConfig("0.0.0.0", 7400, null, "", 7481, Path.of("/var/lib/smbgw/coordinator"), SESSION_MS,
        "0.0.0.0:9924", 2000, 150, "text", false, List.of(), TlsConfig.defaults(), AUDIT_RECORDS,
        defaultClusterKey(false, Path.of("/var/lib/smbgw/coordinator"), System.getenv()));
  }

  /**
   * Where the cluster key is when {@code clusterKey} is not set, first found first:
   * {@code $CREDENTIALS_DIRECTORY/cluster.key} (systemd hands it to the unprivileged service, as
   * it does the node's TLS key); {@code <stateDir>/cluster.key} for a cluster of one, which makes
   * it there at its first start; {@code /etc/pve/priv/smbgw/cluster.key} on Proxmox VE (every node
   * has it); else {@code /etc/smbgw/cluster.key}.
   */
  static Path defaultClusterKey(boolean singleNode, Path stateDir, java.util.Map<String, String> env) {
    String credentials = env.get("CREDENTIALS_DIRECTORY");
    if (credentials != null && !credentials.isEmpty() && java.nio.file.Files.exists(Path.of(credentials, "cluster.key"))) {
      return Path.of(credentials, "cluster.key");
    }
    if (singleNode) {
      return stateDir.resolve("cluster.key");
    }
    return java.nio.file.Files.isDirectory(PVE_PRIV) ? PVE_PRIV.resolve("smbgw/cluster.key") : Path.of("/etc/smbgw/cluster.key");
  }

  private static final Path PVE_PRIV = TlsConfig.PVE_ROOT.resolve("priv");

  /**
   * Reads the file strictly: an unknown key, a value of the wrong type or out of range is an
   * error naming the key, never the default in disguise.
   */
  public static CoordinatorConfig load(Path file) throws IOException {
    List<Violation> out = new ArrayList<>();
    Settings s = Settings.read(file, out, KNOWN);
    CoordinatorConfig d = defaults();
    HostPort listen = s.hostPort("listen", true);
    String advertise = s.text("advertise");
    if (advertise != null) {
      HostPort.parse("advertise", advertise, false, out);
    }
    String zookeeper = s.text("zookeeper");
    if (zookeeper != null && !zookeeper.isEmpty()) {
      // host:port,host:port[/chroot], as ZooKeeper's own connect strings are written
      int slash = zookeeper.indexOf('/');
      String servers = slash < 0 ? zookeeper : zookeeper.substring(0, slash);
      for (String server : servers.split(",", -1)) {
        HostPort.parse("zookeeper", server.strip(), false, out);
      }
      if (slash >= 0 && !zookeeper.substring(slash).matches("(/[A-Za-z0-9_.-]+)+")) {
        out.add(new Violation("zookeeper", "a chroot is /name[/name...] (got " + zookeeper.substring(slash) + ")"));
      }
      zookeeper = String.join(",", java.util.Arrays.stream(servers.split(",")).map(String::strip).toList())
          + (slash < 0 ? "" : zookeeper.substring(slash));
    }
    Integer zkPort = s.integer("embeddedZooKeeperPort", 1, 65535, "");
    // ZooKeeper clamps sessions to 2 to 20 ticks; below 1 s, renewals and failover would race it.
    Integer session = s.integer("sessionTimeoutMs", 1000, 60_000, "");
    String metricsListen = s.text("metricsListen");
    if (metricsListen != null && !metricsListen.isEmpty()) {
      HostPort.parse("metricsListen", metricsListen, true, out);
    }
    Integer lease = s.integer("leaseMillis", 1000, 60_000, "the kernel counts address lifetimes in whole seconds");
    Integer margin = s.integer("leaseMarginMillis", 0, 60_000, "");
    String logFormat = s.text("logFormat");
    org.smbgw.common.Logging.validate("logFormat", logFormat != null ? logFormat : d.logFormat(), out);
    Boolean singleNode = s.bool("singleNode");
    if (Boolean.TRUE.equals(singleNode) && zookeeper != null && !zookeeper.isEmpty()) {
      out.add(new Violation("singleNode", "must not be true when zookeeper names an ensemble (use one or the other)"));
    }
    Path stateDir = s.path("stateDir");
    if (stateDir != null && !stateDir.isAbsolute()) {
      out.add(new Violation("stateDir", "must be an absolute path (got " + stateDir + ")"));
    }
    List<String> vipRanges = s.texts("vipRanges");
    if (vipRanges != null) {
      for (int i = 0; i < vipRanges.size(); i++) {
        org.smbgw.common.Addresses.cidr("vipRanges[" + i + "]", vipRanges.get(i), out);
      }
    }
    TlsConfig tls = TlsConfig.read(s, out);
    // ZooKeeper lists a znode's children in one answer of at most 1 MB: 50,000 names fit.
    Integer audit = s.integer("auditRecords", 100, 50_000, "");
    Path clusterKey = s.path("clusterKey");
    if (clusterKey != null && !clusterKey.isAbsolute()) {
      out.add(new Violation("clusterKey", "must be an absolute path (got " + clusterKey + ")"));
    }
    if (!out.isEmpty()) {
      throw new InvalidSpecException(out).inFile(file);
    }
    return new CoordinatorConfig(listen != null ? listen.host() : d.listenAddress(),
        listen != null ? listen.port() : d.listenPort(), advertise,
        zookeeper != null ? zookeeper : d.zookeeper(), zkPort != null ? zkPort : d.embeddedZooKeeperPort(),
        stateDir != null ? stateDir : d.stateDir(), session != null ? session : d.sessionTimeoutMs(),
        metricsListen != null ? metricsListen : d.metricsListen(), lease != null ? lease : d.leaseMillis(),
        margin != null ? margin : d.leaseMarginMillis(), logFormat != null ? logFormat : d.logFormat(),
        Boolean.TRUE.equals(singleNode), vipRanges != null ? vipRanges : List.of(), tls,
        audit != null ? audit : d.auditRecords(), clusterKey != null ? clusterKey
            : defaultClusterKey(Boolean.TRUE.equals(singleNode), stateDir != null ? stateDir : d.stateDir(), System.getenv()))
        .withAdvertise();
  }

  /**
   * Fills in the advertised address: the listen address, or, when listening on all addresses,
   * this machine's address as {@link HostAddress#find()} finds it. Never loopback then: peers on
   * other machines forward to it and agents connect to it.
   *
   * @throws InvalidSpecException naming {@code advertise} when there is nothing to find
   */
  public CoordinatorConfig withAdvertise() {
    return withAdvertise(HostAddress::find);
  }

  CoordinatorConfig withAdvertise(java.util.function.Supplier<java.util.Optional<String>> hostAddress) {
    if (advertise != null && !advertise.isEmpty()) {
      return this;
    }
    HostPort listen = new HostPort(listenAddress, listenPort);
    String host = listenAddress;
    if (listen.wildcard()) {
      // A cluster of one has no peer to reach it: loopback will do when there is nothing else.
      java.util.Optional<String> found = hostAddress.get();
      host = singleNode ? found.orElse("127.0.0.1") : found.orElseThrow(() -> new InvalidSpecException(List.of(
          new Violation("advertise", "must be set: this replica listens on all addresses (" + listen + ") and this "
          + "machine has no address other than loopback or link-local that other machines could reach it at"))));
    }
    return new CoordinatorConfig(listenAddress, listenPort, new HostPort(host, listenPort).toString(), zookeeper,
        embeddedZooKeeperPort, stateDir, sessionTimeoutMs, metricsListen, leaseMillis, leaseMarginMillis, logFormat,
        singleNode, vipRanges, tls, auditRecords, clusterKey);
  }
}
