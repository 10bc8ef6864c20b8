package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.ZfsDaemon;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.cli.Smbgw;
import org.smbgw.e2e.Cli.Result;
import org.smbgw.coordinator.Coordinator;
import org.smbgw.coordinator.CoordinatorConfig;

/**
 * The whole path: the smbgw CLI talks to a coordinator (embedded ZooKeeper), which places the
 * share on a real agent whose own smbd serves it from a zfs-fuse dataset; smbclient checks.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterEndToEndTest {
  private ZfsPool pool;
  private Coordinator coordinator;
  private SandboxAgent node;
  private SmbClient client;
  private String user;
  private final String password = "E2e-" + ThreadLocalRandom.current().nextInt(1 << 30);
  private final ObjectMapper json = new ObjectMapper();
  private Path coordinatorState;

  @BeforeAll
  void start() throws Exception {
    pool = new ZfsPool("sge", 256L << 20);
    Path state = Files.createTempDirectory("smbgw-e2e-coord-");
    coordinatorState = state;
    int port;
    int zkPort;
    try (var a = new java.net.ServerSocket(0); var b = new java.net.ServerSocket(0)) {
      port = a.getLocalPort();
      zkPort = b.getLocalPort();
    }
    CoordinatorConfig config = new CoordinatorConfig("127.0.0.1", port, null, "", zkPort, state, 4000, "127.0.0.1:0", 2000,
        250, "text").withVipRanges(List.of("10.9.0.0/16", "fd00::/64")).withTls(Cli.PKI.node("coordinator"));
    coordinator = new Coordinator(config);
    coordinator.start();
    Cli.admin(coordinator.address(), config);
    node = new SandboxAgent().coordinators(List.of(coordinator.address())).tls(Cli.PKI.node("test")).looping(1);
    node.storageCfg("zfspool: tank\n\tpool " + pool.name() + "\n\tcontent images,rootdir\n\n"
        + "dir: local\n\tpath /var/lib/vz\n\tcontent iso\n\n"
        + "dir: shareddir\n\tpath " + node.dir().resolve("shareddir") + "\n\tshared 1\n\tcontent images\n");
    Files.createDirectories(node.dir().resolve("shareddir"));
    node.start();
    client = new SmbClient("127.0.0.1", node.port());
    user = node.user("e2e");
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!coordinator.view().live().containsKey("test") && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
  }

  @AfterAll
  void stop() throws Exception {
    try (ZfsPool p = pool; SandboxAgent n = node; SmbClient c = client) {
      if (coordinator != null) {
        coordinator.close();
      }
    } finally {
      if (coordinatorState != null) {
        try (var files = Files.walk(coordinatorState)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        }
      }
    }
  }

  private Result cli(String stdin, String... args) {
    return Cli.run(coordinator.address(), stdin, args);
  }



  @Test
  void aShareCreatedWithTheCliIsServedShownWithUsageAndKeptAfterDelete() throws Exception {
    Result added = cli(password + "\n", "user", "add", user, "--password-stdin");
    assertEquals(0, added.code(), added.err());
    Result created = cli(null, "share", "create", "projects", "--storage", "tank", "--quota", "32M",
        "--write", user, "--comment", "Team projects", "-o", "json");
    assertEquals(0, created.code(), created.err());
    assertEquals("test", json.readTree(created.out()).path("node").asText());

    Path data = client.localFile("data.bin");
    byte[] bytes = new byte[4 << 20]; // zfs-fuse updates "used" late for small writes
    ThreadLocalRandom.current().nextBytes(bytes);
    Files.write(data, bytes);
    CommandResult put = Eventually.until(Duration.ofSeconds(30),
        () -> client.run("projects", user, password, "put " + data + " data.bin"), r -> r.exitCode() == 0);
    assertEquals(0, put.exitCode(), SmbClient.output(put));
    Path back = client.localFile("back.bin");
    assertEquals(0, client.run("projects", user, password, "get data.bin " + back).exitCode());
    assertArrayEquals(bytes, Files.readAllBytes(back));

    // The node's Samba names the user by the cluster's SID and the RID the coordinator gave it,
    // as every node does (what a Windows ACL naming the user needs), and it logged on with it.
    Path smbConf = node.dir().resolve("state/samba/smb.conf");
    String cluster = json.readTree(node.dir().resolve("state/status.json").toFile()).path("cluster").asText();
    String verbose = run("pdbedit", "--configfile=" + smbConf, "-L", "-v");
    String sid = verbose.lines().dropWhile(l -> !l.equals("Unix username:        " + user)).filter(l -> l.startsWith("User SID:"))
        .findFirst().orElseThrow(() -> new AssertionError(verbose)).substring("User SID:".length()).strip();
    assertEquals(org.smbgw.common.ClusterSid.of(cluster), sid.substring(0, sid.lastIndexOf('-')), verbose);
    assertTrue(Long.parseLong(sid.substring(sid.lastIndexOf('-') + 1)) >= 1_000_000, sid);
    assertTrue(run("net", "--configfile=" + smbConf, "getlocalsid").strip().endsWith(org.smbgw.common.ClusterSid.of(cluster)));

    JsonNode shown = Eventually.until(Duration.ofSeconds(60), () -> json.readTree(cli(null, "share", "show", "projects", "-o", "json").out()),
        j -> j.path("status").path("usedBytes").asLong() >= 4_000_000);
    assertEquals("test", shown.path("node").asText());
    assertEquals("SHARE_STATE_ACTIVE", shown.path("status").path("state").asText());
    assertEquals(32L << 20, shown.path("status").path("quotaBytes").asLong());
    assertTrue(shown.path("status").path("usedBytes").asLong() >= 4_000_000, shown.toString());
    // zfs-fuse keeps no extended attributes: the node found that out, and the table says where
    // Windows' file attributes live instead.
    assertTrue(shown.path("status").has("features") && !shown.path("status").path("features").path("xattrs").asBoolean(),
        shown.toString());
    // Nor xattr=sa or acltype: the node found that out making the dataset, and says so.
    Result node = Eventually.until(Duration.ofSeconds(60), () -> cli(null, "node", "show", "test"),
        r -> r.out().contains("no acltype property"));
    assertTrue(node.out().contains("new datasets keep this ZFS's defaults") && node.out().contains("zfs-fuse"), node.out());
    Result table = cli(null, "share", "show", "projects");
    assertTrue(table.out().contains("storage features: no extended attributes (DOS attributes are kept in mode bits"),
        table.out());

    JsonNode stats = json.readTree(cli(null, "share", "stats", "projects", "--since", "1h", "-o", "json").out());
    assertTrue(stats.path("samples").size() >= 1, "the coordinator keeps the share's recent history: " + stats);
    assertEquals("test", stats.path("node").asText());
    assertEquals(32L << 20, stats.path("current").path("quotaBytes").asLong());
    assertEquals(2, cli(null, "share", "stats", "projects", "--since", "yesterday").code());

    Result yaml = cli(null, "share", "show", "projects", "-o", "yaml");
    assertTrue(yaml.out().contains("kind: Share") && yaml.out().contains("pve: tank"), yaml.out());

    Result deleted = cli(null, "share", "delete", "projects");
    assertEquals(0, deleted.code(), deleted.err());
    CommandResult gone = Eventually.until(Duration.ofSeconds(30), () -> client.run("projects", user, password, "ls"),
        r -> SmbClient.output(r).contains("NT_STATUS_BAD_NETWORK_NAME"));
    assertTrue(SmbClient.output(gone).contains("NT_STATUS_BAD_NETWORK_NAME"), SmbClient.output(gone));
    assertTrue(pool.exists(pool.name() + "/projects"), "the data is kept");
    assertTrue(Files.exists(pool.mountpoint().resolve("projects/data.bin")));
  }

  /**
   * A share on (shared) ext4 directory storage in a cluster keeps Windows ACLs: the node took the cluster's
   * SID, gave the accounts their RIDs and restarted smbd (which keeps the SID it started with), so
   * the ACL the lists seeded lets the writer write and not the reader.
   */
  @Test
  void aDirectoryShareInAClusterKeepsWindowsAclsNamingUsersByTheClustersSids() throws Exception {
    String writer = node.user("aclw");
    String reader = node.user("aclr");
    for (String u : List.of(writer, reader)) {
      Result added = cli(password + "\n", "user", "add", u, "--password-stdin");
      assertEquals(0, added.code(), added.err());
    }
    Result created = cli(null, "share", "create", "aclshare", "--storage", "shareddir", "--write", writer, "--read", reader);
    assertEquals(0, created.code(), created.err());
    Result table = Eventually.until(Duration.ofSeconds(60), () -> cli(null, "share", "show", "aclshare"),
        r -> r.out().contains("Windows ACLs: yes"));
    assertTrue(table.out().contains("Windows ACLs: yes"), table.out());
    Path file = client.localFile("acl.txt");
    Files.writeString(file, "acl");
    CommandResult wrote = client.run("aclshare", writer, password, "put " + file + " acl.txt");
    assertEquals(0, wrote.exitCode(), "the writer writes through the seeded ACL: " + SmbClient.output(wrote));
    CommandResult refused = client.run("aclshare", reader, password, "put " + file + " mine.txt");
    assertTrue(SmbClient.output(refused).contains("NT_STATUS_ACCESS_DENIED"), SmbClient.output(refused));
    assertEquals(0, client.run("aclshare", reader, password, "get acl.txt " + client.localFile("back.txt")).exitCode());
    assertEquals(0, cli(null, "share", "delete", "aclshare").code());
  }

  /** A program's standard output; it must succeed. */
  private static String run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", argv) + ": " + out);
    return out;
  }

  @Test
  void deleteWithPurgeDestroysTheDatasetAndTheNameCanBeUsedAgain() throws Exception {
    assertEquals(0, cli(null, "share", "create", "scratch", "--storage", "tank", "--read", "@staff").code());
    String dataset = pool.name() + "/scratch";
    assertTrue(Eventually.until(Duration.ofSeconds(30), () -> pool.exists(dataset), x -> x));
    Result purge = cli(null, "share", "delete", "scratch", "--purge");
    assertEquals(0, purge.code(), purge.err());
    assertTrue(purge.out().contains("purging"), purge.out());
    assertTrue(Eventually.until(Duration.ofSeconds(30), () -> !pool.exists(dataset), x -> x), "dataset destroyed");
    // Once the node reports it gone, the leader clears the pending purge and the name is free.
    Result again = Eventually.until(Duration.ofSeconds(30),
        () -> cli(null, "share", "create", "scratch", "--storage", "tank", "--read", "@staff"), r -> r.code() == 0);
    assertEquals(0, again.code(), again.err() + "\nnode status: " + cli(null, "status", "-o", "json").out());
    assertEquals(0, cli(null, "share", "delete", "scratch", "--purge").code());
  }

  @Test
  void applyAndPlanAreAllOrNothingAndReportPerResource() throws Exception {
    Path file = client.localFile("cluster.yaml");
    Files.writeString(file, "apiVersion: smbgw/v1\nkind: Share\nmetadata: {name: a1}\nspec:\n  storage: {pve: tank}\n"
        + "  read: {groups: [staff]}\n---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: a2}\nspec:\n"
        + "  storage: {pve: tank}\n  read: {groups: [staff]}\n");
    Result plan = cli(null, "plan", "-f", file.toString(), "-o", "json");
    assertEquals(0, plan.code(), plan.err());
    assertEquals(2, json.readTree(plan.out()).path("results").size());
    assertEquals(3, cli(null, "share", "show", "a1").code(), "plan changed nothing");
    Result apply = cli(null, "apply", "-f", file.toString(), "-o", "json");
    assertEquals("created", json.readTree(apply.out()).path("results").get(0).path("action").asText());
    Result again = cli(null, "apply", "-f", file.toString(), "-o", "json");
    assertEquals("unchanged", json.readTree(again.out()).path("results").get(1).path("action").asText());

    Files.writeString(file, Files.readString(file) + "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: bad}\n"
        + "spec:\n  storage: {pve: nosuch}\n  read: {groups: [staff]}\n");
    Result refused = cli(null, "apply", "-f", file.toString());
    assertEquals(4, refused.code(), refused.err());
    assertTrue(refused.err().contains("bad") && refused.err().contains("nosuch"), refused.err());
  }

  /** What this machine's agent reported: its own addresses and its routes' gateways. */
  private List<String> reported(String what) {
    var inv = coordinator.view().live().get("test").getInventory();
    List<String> out = new ArrayList<>();
    if (what.equals("own")) {
      inv.getInterfacesList().forEach(i -> out.addAll(i.getAddressesList()));
    } else {
      inv.getGatewaysList().forEach(g -> out.add(g + (g.contains(":") ? "/64" : "/24")));
    }
    return out;
  }

  @Test
  void floatingAddressesThatCouldHurtTheNetworkAreRefusedNamingTheRule() {
    List<String[]> cases = new ArrayList<>();
    reported("own").stream().filter(a -> !a.startsWith("127.") && !a.startsWith("::1") && !a.startsWith("fe80"))
        .forEach(a -> cases.add(new String[] {a, "a node's own address"}));
    reported("gateway").forEach(g -> cases.add(new String[] {g, "a gateway"}));
    assertTrue(cases.size() >= 2, "this machine has an address and a route with a gateway: " + cases.size());
    cases.add(new String[] {"127.0.0.2/8", "loopback"});
    cases.add(new String[] {"169.254.1.1/16", "link-local"});
    cases.add(new String[] {"224.0.0.5/24", "multicast"});
    cases.add(new String[] {"10.9.1.0/24", "network address"});
    cases.add(new String[] {"10.9.1.255/24", "broadcast address"});
    cases.add(new String[] {"10.8.1.5/24", "vipRanges"});
    for (String[] c : cases) {
      Result r = cli(null, "vip", "create", c[0]);
      assertEquals(4, r.code(), c[0] + ": " + r.err());
      assertTrue(r.err().contains(c[1]), c[0] + ": " + r.err());
    }
    assertTrue(json(cli(null, "vip", "list", "-o", "json").out()).path("addresses").isEmpty(), "nothing was created");
  }

  @Test
  void aShareWhoseAdministratorsAreTheShareRootsGroupIsRefused() {
    Result r = cli(null, "share", "create", "rooted", "--storage", "tank", "--read", "@staff", "--admin",
        "@" + org.smbgw.agent.testing.SandboxAgent.GROUP);
    assertEquals(4, r.code(), r.err());
    assertTrue(r.err().contains("admin.groups") && r.err().contains("group of every share root"), r.err());
    assertEquals(3, cli(null, "share", "show", "rooted").code(), "nothing was created");
  }

  private JsonNode json(String text) {
    try {
      return json.readTree(text);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void errorsHaveTheirDocumentedExitCodes() {
    assertEquals(3, cli(null, "share", "show", "nope").code());
    Result invalid = cli(null, "share", "create", "x]y", "--storage", "tank", "--read", "@staff");
    assertEquals(4, invalid.code());
    assertTrue(invalid.err().contains("spec.name"), invalid.err());
    assertEquals(4, cli(null, "share", "create", "nostorage", "--storage", "nosuch", "--read", "@staff").code());
    assertEquals(2, cli(null, "share", "create", "x").code(), "no storage given is a usage error");
    assertEquals(2, cli(null, "share", "frobnicate").code());
    Result down = new Result(Smbgw.run(new String[] {"--coordinator", "127.0.0.1:1", "--ca", Cli.PKI.ca().toString(), "status"},
        new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter())), "", "");
    assertEquals(6, down.code());
    StringWriter err = new StringWriter();
    Smbgw.run(new String[] {"--coordinator", "127.0.0.1:1", "--ca", Cli.PKI.ca().toString(), "status"}, new PrintWriter(new StringWriter()), new PrintWriter(err));
    assertEquals(1, err.toString().strip().lines().count(), err.toString());
    assertTrue(err.toString().contains("127.0.0.1:1"), err.toString());
  }

  @Test
  void eventsAreListedAndFollowed() throws Exception {
    StringWriter followed = new StringWriter();
    List<String> follow = new java.util.ArrayList<>(Cli.target(coordinator.address()));
    follow.addAll(List.of("events", "--follow", "-o", "json"));
    Thread follower = new Thread(() -> Smbgw.run(follow.toArray(String[]::new), new PrintWriter(followed, true),
        new PrintWriter(new StringWriter())));
    follower.setDaemon(true);
    follower.start();
    assertEquals(0, cli(null, "share", "create", "evt", "--storage", "tank", "--read", "@staff").code());
    assertEquals(0, cli(null, "share", "delete", "evt").code());
    String seen = Eventually.until(Duration.ofSeconds(20), followed::toString, s -> s.contains("share.deleted"));
    follower.interrupt();
    List<JsonNode> events = new ArrayList<>();
    for (String line : seen.strip().split("\n")) {
      events.add(json.readTree(line));
    }
    List<String> kinds = events.stream().map(e -> e.path("kind").asText()).toList();
    assertTrue(kinds.containsAll(List.of("leader.elected", "share.created", "share.deleted")), kinds.toString());
    assertTrue(kinds.indexOf("share.created") < kinds.lastIndexOf("share.deleted"));
    Result listed = cli(null, "events");
    assertEquals(0, listed.code());
    assertTrue(listed.out().contains("share/evt"), listed.out());
  }

  @Test
  void fillingAShareAbove85PercentGivesExactlyOneWarningEvent() throws Exception {
    String quotaUser = node.user("e2eq"); // a fresh name, removed with the others
    assertEquals(0, cli(password + "\n", "user", "add", quotaUser, "--password-stdin").code());
    assertEquals(0, cli(null, "share", "create", "full", "--storage", "tank", "--quota", "10M", "--write", quotaUser).code());
    Path nine = client.localFile("nine.bin");
    byte[] bytes = new byte[9 << 20];
    ThreadLocalRandom.current().nextBytes(bytes);
    Files.write(nine, bytes);
    CommandResult put = Eventually.until(Duration.ofSeconds(30),
        () -> client.run("full", quotaUser, password, "put " + nine + " nine.bin"), r -> r.exitCode() == 0);
    assertEquals(0, put.exitCode(), SmbClient.output(put));
    String events = Eventually.until(Duration.ofSeconds(60), () -> cli(null, "events", "-o", "json").out(),
        e -> e.contains("quota.warning") || e.contains("quota.critical"));
    Thread.sleep(3000); // more passes happen (resync is 1 s here): still one alert
    events = cli(null, "events", "-o", "json").out();
    long alerts = events.lines().filter(l -> l.contains("share/full") && l.contains("\"quota.")).count();
    assertEquals(1, alerts, events);
    assertTrue(events.contains("of its quota used on test"), events);
  }

  @Test
  void aZfsDaemonKilledAndStartedAgainUnderTheAgentIsRemountedWithAnEvent() throws Exception {
    String writer = node.user("e2em");
    assertEquals(0, cli(password + "\n", "user", "add", writer, "--password-stdin").code());
    assertEquals(0, cli(null, "share", "create", "remo", "--storage", "tank", "--write", writer).code());
    Path file = client.localFile("remo.txt");
    Files.writeString(file, "written before the crash");
    CommandResult put = Eventually.until(Duration.ofSeconds(30),
        () -> client.run("remo", writer, password, "put " + file + " remo.txt"), r -> r.exitCode() == 0);
    assertEquals(0, put.exitCode(), SmbClient.output(put));
    assertTrue(pool.zfs("set", "org.smbgw:test=synced", pool.name()).succeeded(), "writes zfs-fuse's open txg");
    try {
      ZfsDaemon.kill();
    } finally {
      ZfsDaemon.start();
    }
    // The agent's next pass (resync is 1 s here) finds the dead mount and remounts it.
    String events = Eventually.until(Duration.ofSeconds(30), () -> cli(null, "events", "-o", "json").out(),
        e -> e.lines().anyMatch(l -> l.contains("share.remounted") && l.contains("share/remo")));
    assertTrue(events.lines().anyMatch(l -> l.contains("share.remounted") && l.contains("share/remo")
        && l.contains("did not answer")), events);
    Path back = client.localFile("remo-back.txt");
    CommandResult get = Eventually.until(Duration.ofSeconds(10),
        () -> client.run("remo", writer, password, "get remo.txt " + back), r -> r.exitCode() == 0);
    assertEquals(0, get.exitCode(), SmbClient.output(get));
    assertEquals("written before the crash", Files.readString(back));
    Result shown = cli(null, "share", "show", "remo", "-o", "json");
    assertTrue(shown.out().contains("\"remounted\""), shown.out());
  }

  @Test
  void theCoordinatorExposesClusterMetricsThatPromtoolAccepts() throws Exception {
    assertEquals(0, cli(null, "share", "create", "counted", "--storage", "tank", "--read", "@staff").code());
    String body = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + coordinator.metricsPort() + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    assertTrue(body.contains("smbgw_coordinator_leader 1.0"), body);
    assertTrue(body.contains("smbgw_coordinator_nodes{state=\"connected\"} 1.0"), body);
    assertTrue(body.contains("smbgw_coordinator_admin_call_seconds_count{code=\"OK\",method=\"CreateShare\"}"), body);
    assertTrue(body.contains("smbgw_coordinator_zookeeper_write_seconds_count{outcome=\"ok\"}"), body);
    Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
    promtool.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
    promtool.getOutputStream().close();
    String verdict = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, promtool.waitFor(), verdict);
    assertEquals(0, cli(null, "share", "delete", "counted").code());
  }

  /** Metric names a Prometheus text exposition has: sampled, or announced by HELP/TYPE. */
  private static java.util.Set<String> metricNames(String exposition) {
    java.util.Set<String> out = new java.util.HashSet<>();
    for (String line : exposition.split("\n")) {
      String[] f = line.startsWith("# HELP ") || line.startsWith("# TYPE ") ? line.substring(7).split(" ") : line.split("[{ ]");
      if (!line.isBlank() && (!line.startsWith("#") || line.startsWith("# HELP ") || line.startsWith("# TYPE "))) {
        out.add(f[0]);
      }
    }
    return out;
  }

  private String scrape(int port) throws Exception {
    return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString()).body();
  }

  @Test
  void theOperatorsKitPassesPromtoolAndNamesOnlyMetricsSmbgwExports() throws Exception {
    Path ops = Path.of(System.getProperty("user.dir")).resolveSibling("packaging").resolve("src").resolve("ops");
    for (List<String> argv : List.of(List.of("promtool", "check", "rules", "smbgw-alerts.yml"),
        List.of("promtool", "test", "rules", "smbgw-alerts.test.yml"))) {
      Process p = new ProcessBuilder(argv).directory(ops.toFile()).redirectErrorStream(true).start();
      String said = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals(0, p.waitFor(), argv + ": " + said);
    }
    // A share, so that the per-share series exist (and an admin call has been timed).
    assertEquals(0, cli(null, "share", "create", "kit", "--storage", "tank", "--read", "@staff").code());
    Eventually.until(Duration.ofSeconds(30), () -> scrape(node.agent().metricsPort()), b -> b.contains("share=\"kit\""));
    java.util.Set<String> exported = new java.util.HashSet<>(metricNames(scrape(coordinator.metricsPort())));
    exported.addAll(metricNames(scrape(node.agent().metricsPort())));
    assertEquals(0, cli(null, "share", "delete", "kit").code());
    java.util.Set<String> named = new java.util.TreeSet<>();
    for (String file : List.of("smbgw-dashboard.json", "smbgw-alerts.yml")) {
      java.util.regex.Matcher m = java.util.regex.Pattern.compile("smbgw_[a-z_]+").matcher(Files.readString(ops.resolve(file)));
      while (m.find()) {
        named.add(m.group());
      }
    }
    assertTrue(named.size() >= 20, named.toString());
    List<String> unknown = named.stream().filter(n -> !exported.contains(n)
        && !exported.contains(n.replaceFirst("_(bucket|count|sum)$", ""))).toList();
    assertEquals(List.of(), unknown, "named by the dashboard or the rules, exported by no smbgw endpoint");
  }

  @Test
  void everyListingParsesAsJson() throws Exception {
    for (String[] cmd : List.of(new String[] {"share", "list"}, new String[] {"node", "list"},
        new String[] {"user", "list"}, new String[] {"status"})) {
      List<String> args = new ArrayList<>(List.of(cmd));
      args.addAll(List.of("-o", "json"));
      Result r = cli(null, args.toArray(String[]::new));
      assertEquals(0, r.code(), String.join(" ", cmd) + ": " + r.err());
      json.readTree(r.out());
    }
    JsonNode nodes = json.readTree(cli(null, "node", "list", "-o", "json").out());
    JsonNode inventory = nodes.path("nodes").get(0).path("inventory");
    assertEquals("tank", inventory.path("storages").get(0).path("id").asText());
    assertTrue(inventory.path("sambaVersion").asText().startsWith("4."), inventory.toString());
    assertTrue(inventory.path("interfaces").toString().contains("127.0.0.1/8"), inventory.toString());
  }
}
