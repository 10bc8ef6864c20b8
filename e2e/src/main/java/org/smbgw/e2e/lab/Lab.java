package org.smbgw.e2e.lab;

import io.grpc.ManagedChannel;
import org.smbgw.common.tls.Pki;
import org.smbgw.common.tls.TlsFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.smbgw.agent.AgentMain;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.coordinator.CoordinatorMain;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.StatusRequest;
import org.smbgw.proto.v1.StatusResponse;

/**
 * Builds the cluster, injects faults, tears everything down (also what an earlier, crashed run
 * left). Namespaces: {@code sgwl-sw} (the bridge), {@code sgwl-zk}, {@code sgwl-cl} (client) and
 * {@code sgwl-n1..3}. This process reaches the coordinators through a veth of its own on the
 * bridge (198.18.77.254), and nothing else.
 */
public final class Lab implements AutoCloseable {
  public static final String PREFIX = "sgwl-";
  public static final String SUBNET = "198.18.77.";
  public static final String SWITCH = PREFIX + "sw";
  public static final String CLIENT = PREFIX + "cl";
  public static final String ZK = PREFIX + "zk";
  private static final String HOST_PORT = "sgwl-host";
  public static final int NODES = 3;

  private final Path dir;
  private final Settings settings;
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      Duration.ofSeconds(30));
  private final Map<String, Process> holders = new LinkedHashMap<>();
  private final Map<String, Process> coordinators = new LinkedHashMap<>();
  private final Map<String, Process> agents = new LinkedHashMap<>();
  /** One channel per replica, made on first use (a bench makes thousands of admin calls). */
  private final Map<String, ManagedChannel> channels = new java.util.concurrent.ConcurrentHashMap<>();
  private Process zookeeper;
  private final String user;

  /**
   * @param leaseMillis L; @param marginMillis the leader's margin; @param sessionMillis the
   *     coordinators' ZooKeeper session timeout; @param tickMillis the lab's ZooKeeper ensemble's
   *     tickTime; @param user the Unix and SMB account the lab's agents create (deleted on close)
   */
  public record Settings(int leaseMillis, int marginMillis, int sessionMillis, int tickMillis, String user) {
    /**
     * The lab's ensemble tick, unless {@code SMBGW_ZK_TICK_MS} says otherwise: what the README
     * tells administrators to give their ensemble. ZooKeeper expires a session on its next tick
     * after the timeout, so at 500 ms the cut-off leader's session ended up to 0.5 s late and a new
     * leader came after its node's lease had run out (partition_leader new_conn p50 2.87 s in 6
     * runs); at 100 ms every move came at the lease's end (2.52 s).
     */
    public static final int TICK_MS = 100;

    /**
     * The product's defaults; {@code SMBGW_SESSION_MS} overrides the session timeout and
     * {@code SMBGW_ZK_TICK_MS} the ensemble's tick, for measuring.
     */
    public static Settings defaults(String user) {
      org.smbgw.coordinator.CoordinatorConfig d = org.smbgw.coordinator.CoordinatorConfig.defaults();
      return new Settings(d.leaseMillis(), d.leaseMarginMillis(), fromEnv("SMBGW_SESSION_MS", d.sessionTimeoutMs()),
          fromEnv("SMBGW_ZK_TICK_MS", TICK_MS), user);
    }

    private static int fromEnv(String name, int otherwise) {
      String v = System.getenv(name);
      return v == null || v.isEmpty() ? otherwise : Integer.parseInt(v);
    }
  }

  /** The lease, margin, session timeout, ZooKeeper tick and user the lab runs with. */
  public Settings settings() {
    return settings;
  }

  public Lab(Path dir, Settings settings) {
    this.dir = dir;
    this.settings = settings;
    this.user = settings.user();
  }

  public static String node(int i) {
    return "n" + i;
  }

  public static String namespace(String node) {
    return PREFIX + node;
  }

  public static String nodeAddress(int i) {
    return SUBNET + (10 + i);
  }

  public static String coordinatorAddress(int i) {
    return nodeAddress(i) + ":7400";
  }

  public Path dir() {
    return dir;
  }

  public Path sharedDir() {
    return dir.resolve("shared");
  }

  public void start() throws Exception {
    cleanLeftovers(runner);
    Files.createDirectories(sharedDir());
    ip("netns", "add", SWITCH);
    ip("-n", SWITCH, "link", "add", "br0", "type", "bridge");
    ip("-n", SWITCH, "link", "set", "br0", "up");
    ip("-n", SWITCH, "link", "set", "lo", "up");
    member(ZK, SUBNET + "100");
    member(CLIENT, SUBNET + "200");
    for (int i = 1; i <= NODES; i++) {
      member(namespace(node(i)), nodeAddress(i));
    }
    ip("link", "add", HOST_PORT, "type", "veth", "peer", "name", "p-host", "netns", SWITCH);
    ip("-n", SWITCH, "link", "set", "p-host", "master", "br0", "up");
    ip("link", "set", HOST_PORT, "up");
    ip("addr", "add", SUBNET + "254/24", "dev", HOST_PORT);

    // Curator's test ensemble writes three empty temp*temp files at every start and never removes
    // them: they go into the lab's directory.
    zookeeper = launch(ZK, "zookeeper", List.of("-Djava.io.tmpdir=" + dir), ZooKeeperEnsembleMain.class.getName(),
        List.of(dir.resolve("zookeeper").toString(), Integer.toString(settings.tickMillis()), SUBNET + "100"));
    Files.writeString(dir.resolve("storage.cfg"), storageCfg());
    adminToken();
    for (int i = 1; i <= NODES; i++) {
      startCoordinator(node(i));
    }
    for (int i = 1; i <= NODES; i++) {
      startAgent(node(i));
    }
  }

  private void member(String ns, String address) throws Exception {
    String port = "p-" + ns.substring(PREFIX.length());
    ip("netns", "add", ns);
    ip("-n", ns, "link", "set", "lo", "up");
    ip("link", "add", port, "netns", SWITCH, "type", "veth", "peer", "name", "eth0", "netns", ns);
    ip("-n", SWITCH, "link", "set", port, "master", "br0", "up");
    ip("-n", ns, "link", "set", "eth0", "up");
    ip("-n", ns, "addr", "add", address + "/24", "dev", "eth0");
    // Something that lives as long as the namespace, for reading its addresses from /proc.
    holders.put(ns, new ProcessBuilder("ip", "netns", "exec", ns, "sleep", "infinity")
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start());
  }

  private String storageCfg() {
    StringBuilder b = new StringBuilder("dir: shared\n\tpath " + sharedDir() + "\n\tcontent images\n\tshared 1\n\n");
    for (int i = 1; i <= NODES; i++) {
      b.append("zfspool: local-").append(node(i)).append("\n\tpool ").append(pool(node(i)))
          .append("\n\tcontent rootdir\n\tnodes ").append(node(i)).append("\n\n");
    }
    return b.toString();
  }

  public static String pool(String node) {
    return "sgwlab" + node.substring(1);
  }

  /**
   * The lab's cluster CA (made by the same code as smbgw certs init) and {@code node}'s
   * certificate, covering its address: {@code <dir>/<node>/tls}, a PKI directory of its own. The
   * settings that point a daemon at it, with no Proxmox directory.
   */
  private synchronized String tls(String node) throws Exception {
    Pki pki = new Pki(dir.resolve("pki"), java.time.Clock.systemUTC());
    if (!Files.exists(pki.dir().resolve(Pki.CA_CERT))) {
      pki.init("lab", Duration.ofDays(2));
    }
    Path mine = dir.resolve(node).resolve("tls");
    if (!Files.exists(mine.resolve(Pki.NODE_CERT))) {
      pki.issue(node, List.of(nodeAddress(Integer.parseInt(node.substring(1)))), Duration.ofDays(1), mine);
    }
    return "tls: {pveRoot: " + dir.resolve("no-pve") + ", pki: " + mine + "}\n";
  }

  private TlsFiles adminTls;

  /** The lab's admin token, in a file only root may read: the CLI's --token-file. */
  public Path tokenFile() {
    return dir.resolve("admin-token");
  }

  /**
   * Gives the lab its first admin token, as root would on a coordinator node: its record straight
   * into ZooKeeper (before the replicas start, so that no call ever finds none), and the token in
   * {@link #tokenFile}.
   */
  private void adminToken() throws Exception {
    String connect = SUBNET + "100:2181," + SUBNET + "100:2182," + SUBNET + "100:2183";
    org.smbgw.coordinator.zk.ClusterKey key = org.smbgw.coordinator.zk.ClusterKey.create(clusterKey());
    try (org.apache.curator.framework.CuratorFramework zk = org.smbgw.coordinator.zk.ZooKeeperAccess.builder(connect, key)
        .sessionTimeoutMs(10_000).connectionTimeoutMs(5_000).retryPolicy(new org.apache.curator.retry.RetryNTimes(120, 500))
        .build()) {
      zk.start();
      if (!zk.blockUntilConnected(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the lab's ZooKeeper did not come up at " + connect + ":\n" + log("zookeeper"));
      }
      org.smbgw.coordinator.LocalTokens.grant(zk, org.smbgw.common.testing.TestTokens.ADMIN,
          org.smbgw.proto.v1.Role.ROLE_ADMIN, "lab", true);
    }
    org.smbgw.common.testing.TestTokens.file(tokenFile(), org.smbgw.common.testing.TestTokens.ADMIN);
  }

  /** The replicas' one cluster key, as on Proxmox every node reads it from /etc/pve/priv. */
  private Path clusterKey() {
    return dir.resolve("cluster.key");
  }

  /** The lab's CA certificate: what the smbgw command line checks the replicas with ({@code --ca}). */
  public Path ca() throws Exception {
    tls(node(1));
    return dir.resolve("pki").resolve(Pki.CA_CERT);
  }

  /** What the test itself checks coordinators with, as the CLI does: the CA, no certificate. */
  private synchronized TlsFiles adminTls() throws Exception {
    if (adminTls == null) {
      adminTls = TlsFiles.trustOnly(ca());
    }
    return adminTls;
  }

  public void startCoordinator(String node) throws Exception {
    int i = Integer.parseInt(node.substring(1));
    Path state = dir.resolve(node).resolve("coordinator");
    Files.createDirectories(state);
    Path cfg = dir.resolve(node).resolve("coordinator.yaml");
    Files.writeString(cfg, "listen: 0.0.0.0:7400\n"
        + "advertise: " + coordinatorAddress(i) + "\n"
        + "zookeeper: " + SUBNET + "100:2181," + SUBNET + "100:2182," + SUBNET + "100:2183\n"
        + "stateDir: " + state + "\n"
        + "sessionTimeoutMs: " + settings.sessionMillis() + "\n"
        + "metricsListen: 0.0.0.0:9924\n"
        + "leaseMillis: " + settings.leaseMillis() + "\n"
        + "leaseMarginMillis: " + settings.marginMillis() + "\n"
        + "clusterKey: " + clusterKey() + "\n"
        + tls(node));
    coordinators.put(node, launch(namespace(node), node + "-coordinator", List.of(), CoordinatorMain.class.getName(),
        List.of("run", "-c", cfg.toString())));
  }

  public void startAgent(String node) throws Exception {
    Path state = dir.resolve(node).resolve("agent");
    Files.createDirectories(state);
    Path zfs = zfsWrapper(node);
    Path cfg = dir.resolve(node).resolve("agent.yaml");
    StringBuilder coords = new StringBuilder();
    for (int j = 1; j <= NODES; j++) {
      coords.append(j > 1 ? ", " : "").append(coordinatorAddress(j));
    }
    Files.writeString(cfg, "node: " + node + "\n"
        + "stateDir: " + state + "\n"
        + "coordinators: [" + coords + "]\n"
        + "pveStorageConfig: " + dir.resolve("storage.cfg") + "\n"
        + "zfs: {zfs: " + zfs + "}\n"
        + "metrics: {listen: \"0.0.0.0:9923\"}\n"
        + tls(node)
        + "sandbox:\n  address: 0.0.0.0\n  port: 445\n  pool: " + pool(node) + "\n  poolFile: "
        + dir.resolve(node).resolve("pool.img") + "\n  poolSize: 256M\n");
    agents.put(node, launch(namespace(node), node + "-agent", List.of("-Xss512k"), AgentMain.class.getName(),
        List.of("run", "-c", cfg.toString())));
  }

  /**
   * The node's zfs: the real one, except that while {@link #blockZfs} is on, every call waits
   * (at most 60 s) before running, as a pool stuck on a dying disk would. A test seam at the
   * boundary the agent already has (its {@code zfs} setting), not in the agent.
   */
  private Path zfsWrapper(String node) throws IOException {
    Path wrapper = dir.resolve(node).resolve("zfs");
    Path marker = dir.resolve(node).resolve("block-zfs");
    Path blocked = dir.resolve(node).resolve("zfs-blocked");
    Files.writeString(wrapper, "#!/bin/sh\n"
        + "trap 'rm -f " + blocked + "' EXIT\n" // the marker says a call is waiting right now
        + "i=0\n"
        + "while [ -e " + marker + " ] && [ $i -lt 600 ]; do : > " + blocked + "; sleep 0.1; i=$((i+1)); done\n"
        + "exec /usr/sbin/zfs \"$@\"\n");
    wrapper.toFile().setExecutable(true);
    return wrapper;
  }

  /** Makes every zfs call of the node's agent wait, or lets them go again. */
  public void blockZfs(String node, boolean block) throws IOException {
    Path marker = dir.resolve(node).resolve("block-zfs");
    if (block) {
      Files.deleteIfExists(dir.resolve(node).resolve("zfs-blocked"));
      Files.writeString(marker, "");
    } else {
      Files.deleteIfExists(marker);
    }
  }

  /** Whether a zfs call of the node's agent is waiting right now (it removes the marker when it goes on). */
  public boolean zfsBlocked(String node) {
    return Files.exists(dir.resolve(node).resolve("zfs-blocked"));
  }

  private Process launch(String ns, String name, List<String> jvm, String main, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns,
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-XX:+UseSerialGC", "-Xmx256m",
        "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvm);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main));
    cmd.addAll(args);
    Path log = dir.resolve(name + ".log");
    return new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
  }

  // ---- admin ----

  /** A stub for the admin API through the first replica that answers. */
  public AdminServiceGrpc.AdminServiceBlockingStub admin() {
    TlsFiles tls;
    try {
      tls = adminTls();
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the lab's CA: " + e.getMessage(), e);
    }
    StringBuilder target = new StringBuilder();
    for (int i = 1; i <= NODES; i++) {
      if (coordinatorAlive(node(i))) {
        ManagedChannel c = channels.computeIfAbsent(coordinatorAddress(i),
            a -> org.smbgw.common.Grpc.channel(org.smbgw.common.HostPort.parse("coordinator", a, false), false, tls,
                org.smbgw.common.testing.TestTokens.bearer(org.smbgw.common.testing.TestTokens.ADMIN)));
        try {
          AdminServiceGrpc.newBlockingStub(c).withDeadlineAfter(2, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
          return AdminServiceGrpc.newBlockingStub(c).withDeadlineAfter(20, TimeUnit.SECONDS);
        } catch (RuntimeException e) {
          target.append(coordinatorAddress(i)).append(": ").append(e.getMessage()).append("; ");
        }
      }
    }
    throw new IllegalStateException("no coordinator answers: " + target);
  }

  public StatusResponse status() {
    return admin().status(StatusRequest.getDefaultInstance());
  }

  /** The node whose coordinator leads (from its advertised address). */
  public String leaderNode() {
    String leader = status().getLeader();
    for (int i = 1; i <= NODES; i++) {
      if (leader.equals(coordinatorAddress(i))) {
        return node(i);
      }
    }
    throw new IllegalStateException("leader " + leader + " is no lab node");
  }

  public boolean coordinatorAlive(String node) {
    Process p = coordinators.get(node);
    return p != null && p.isAlive();
  }

  // ---- observation ----

  /** IPv4 addresses local to a namespace, read from the kernel's FIB through /proc. */
  public List<String> localAddresses(String ns) {
    Process holder = holders.get(ns);
    List<String> out = new ArrayList<>();
    if (holder == null) {
      return out;
    }
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc", Long.toString(holder.pid()), "net", "fib_trie"));
      String last = null;
      boolean main = false;
      for (String l : lines) {
        if (l.startsWith("Main:")) {
          main = true;
        } else if (l.startsWith("Local:")) {
          main = false;
        }
        String t = l.trim();
        if (t.startsWith("|-- ")) {
          last = t.substring(4);
        } else if (main && t.startsWith("/32 host LOCAL") && last != null && !out.contains(last)) {
          out.add(last);
        }
      }
    } catch (IOException e) {
      // namespace gone
    }
    return out;
  }

  /** The nodes whose namespace has {@code address} up. */
  public List<String> holdersOf(String address) {
    List<String> out = new ArrayList<>();
    for (int i = 1; i <= NODES; i++) {
      if (localAddresses(namespace(node(i))).contains(address)) {
        out.add(node(i));
      }
    }
    return out;
  }

  // ---- faults ----

  public void killAgent(String node) throws Exception {
    kill(agents.get(node), "-KILL");
  }

  public void stopAgent(String node) throws Exception {
    kill(agents.get(node), "-STOP");
  }

  public void continueAgent(String node) throws Exception {
    kill(agents.get(node), "-CONT");
  }

  /** Pauses (SIGSTOP) or resumes (SIGCONT) the whole ZooKeeper ensemble: its quorum is lost, or back. */
  public void pauseZooKeeper(boolean pause) throws Exception {
    kill(zookeeper, pause ? "-STOP" : "-CONT");
  }

  public void killCoordinator(String node) throws Exception {
    kill(coordinators.get(node), "-KILL");
  }

  /** SIGKILL of everything running in the node's namespace: agent, smbd, coordinator. */
  public void killNode(String node) throws Exception {
    long keep = holders.get(namespace(node)).pid();
    CommandResult r = runner.runAllowingFailure(Command.of("ip", "netns", "pids", namespace(node)));
    List<String> argv = new ArrayList<>(List.of("kill", "-KILL"));
    for (String pid : r.stdout().split("\\s+")) {
      if (!pid.isBlank() && Long.parseLong(pid.strip()) != keep) {
        argv.add(pid.strip());
      }
    }
    if (argv.size() > 2) {
      runner.runAllowingFailure(Command.of(argv));
    }
    for (Process p : List.of(agents.get(node), coordinators.get(node))) {
      p.waitFor(5, TimeUnit.SECONDS);
    }
  }

  /** The node's port on the switch, down or up: cut off from everyone, or back. */
  public void port(String node, boolean up) throws Exception {
    ip("-n", SWITCH, "link", "set", "p-" + node, up ? "up" : "down");
  }

  private void kill(Process p, String signal) throws Exception {
    if (p != null && p.isAlive()) {
      runner.run(Command.of("kill", signal, Long.toString(p.pid())));
      if (signal.equals("-KILL")) {
        p.waitFor(5, TimeUnit.SECONDS);
      }
    }
  }

  public CommandRunner runner() {
    return runner;
  }

  private void ip(String... args) throws Exception {
    runner.run(Command.of("ip", args));
  }

  /** Removes what a crashed earlier run left: processes in lab namespaces, the namespaces, the host port. */
  public static void cleanLeftovers(CommandRunner runner) throws Exception {
    CommandResult list = runner.runAllowingFailure(Command.of("ip", "netns", "list"));
    for (String line : list.stdout().split("\n")) {
      String ns = line.split("\\s+")[0];
      if (ns.startsWith(PREFIX)) {
        CommandResult pids = runner.runAllowingFailure(Command.of("ip", "netns", "pids", ns));
        List<String> argv = new ArrayList<>(List.of("kill", "-KILL"));
        for (String pid : pids.stdout().split("\\s+")) {
          if (!pid.isBlank()) {
            argv.add(pid.strip());
          }
        }
        if (argv.size() > 2) {
          runner.runAllowingFailure(Command.of(argv));
        }
        runner.runAllowingFailure(Command.of("ip", "netns", "del", ns));
      }
    }
    runner.runAllowingFailure(Command.of("ip", "link", "del", HOST_PORT));
  }

  @Override
  public void close() throws Exception {
    channels.values().forEach(ManagedChannel::shutdownNow);
    // Agents first, politely, so that they stop their smbd; then everything else by force.
    for (Process p : agents.values()) {
      if (p.isAlive()) {
        runner.runAllowingFailure(Command.of("kill", "-CONT", Long.toString(p.pid())));
        p.destroy();
      }
    }
    for (Process p : agents.values()) {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    List<Process> rest = new ArrayList<>(coordinators.values());
    if (zookeeper != null) {
      rest.add(zookeeper);
    }
    rest.addAll(holders.values());
    rest.forEach(Process::destroyForcibly);
    for (Process p : rest) {
      p.waitFor(10, TimeUnit.SECONDS);
    }
    cleanLeftovers(runner);
    for (int i = 1; i <= NODES; i++) {
      destroyPool(pool(node(i)));
    }
    if (user != null) {
      runner.runAllowingFailure(Command.of("userdel", user));
    }
    runner.close();
  }

  /**
   * zfs-fuse answers a pool's first destroy with a spurious "busy": retry for a few seconds, then
   * detach its mounts lazily and retry again. A pool left imported over a deleted backing file
   * wedged zfs-fuse for every later test on the machine ("pool is busy", creates that hang), so a
   * pool that still cannot go is said on stderr.
   */
  private void destroyPool(String pool) throws Exception {
    for (int attempt = 0; attempt < 40; attempt++) {
      if (!runner.runAllowingFailure(Command.of("zpool", "list", "-H", pool)).succeeded()
          || runner.runAllowingFailure(Command.of("zpool", "destroy", "-f", pool)).succeeded()) {
        return;
      }
      if (attempt == 9) {
        for (String line : Files.readAllLines(Path.of("/proc/mounts"), StandardCharsets.UTF_8)) {
          String[] f = line.split(" ");
          if (f.length > 1 && (f[0].equals(pool) || f[0].startsWith(pool + "/"))) {
            runner.runAllowingFailure(Command.of("umount", "-l", f[1]));
          }
        }
      }
      Thread.sleep(500);
    }
    System.err.println("lab: pool " + pool + " could not be destroyed; zpool destroy -f " + pool + " by hand");
  }

  /** Text of a node's process log, for failure messages. */
  public String log(String name) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve(name + ".log"), StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** The last lines of every coordinator replica's log, for failure messages about the control plane. */
  public String coordinatorLogs() {
    StringBuilder out = new StringBuilder();
    for (int i = 1; i <= NODES; i++) {
      out.append("\n--- ").append(node(i)).append("-coordinator:\n").append(log(node(i) + "-coordinator"));
    }
    return out.toString();
  }

  /** For checks that want to reach into a namespace with a program (smbclient in the client). */
  public static List<String> in(String ns, List<String> argv) {
    List<String> out = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    out.addAll(argv);
    return out;
  }
}
