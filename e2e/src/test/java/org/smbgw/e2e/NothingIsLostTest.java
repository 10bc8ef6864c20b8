package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.curator.framework.CuratorFramework;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.coordinator.zk.ZooKeeperAccess;
import org.apache.curator.retry.RetryNTimes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.coordinator.Coordinator;
import org.smbgw.coordinator.CoordinatorConfig;

/**
 * DESIGN 2's brake on removals, on real ZooKeeper, zfs-fuse, smbd and smbclient: a znode deleted
 * by hand, and ZooKeeper rebuilt from nothing followed by an agent restart, remove nothing a
 * client uses until an administrator confirms with {@code smbgw node confirm-removal}.
 */
class NothingIsLostTest {
  private final ObjectMapper json = new ObjectMapper();
  private final List<AutoCloseable> open = new ArrayList<>();
  private Coordinator coordinator;
  private CoordinatorConfig config;
  private Path coordinatorState;
  private String lastNodes;

  @AfterEach
  void stop() throws Exception {
    Exception first = null;
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        first = first == null ? e : first;
      }
    }
    if (coordinator != null) {
      coordinator.close();
    }
    if (coordinatorState != null) {
      org.smbgw.agent.testing.TestDirs.delete(coordinatorState);
    }
    if (first != null) {
      throw first;
    }
  }


  private <T extends AutoCloseable> T keep(T c) {
    open.add(c);
    return c;
  }

  private String cli(String stdin, String... args) {
    Cli.Result r = Cli.run(coordinator.address(), stdin, args);
    assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
    return r.out();
  }


  private JsonNode node() throws Exception {
    String out = cli(null, "node", "list", "-o", "json");
    lastNodes = out;
    return json.readTree(out).path("nodes").path(0);
  }

  private boolean eventSays(String kind, String text) throws Exception {
    for (String line : cli(null, "events", "-o", "json").split("\n")) {
      JsonNode e = line.isBlank() ? json.createObjectNode() : json.readTree(line);
      if (e.path("kind").asText().equals(kind) && e.path("message").asText().contains(text)) {
        return true;
      }
    }
    return false;
  }

  private void startCoordinator() throws Exception {
    coordinator = new Coordinator(config);
    coordinator.start();
  }

  private ZfsPool pool;
  private int zkPort;
  private SandboxAgent node;
  private SmbClient client;

  /** A pool, a coordinator on an embedded ZooKeeper, and one agent (node "test") attached to it. */
  private void cluster() throws Exception {
    pool = keep(new ZfsPool("sgl", 128L << 20));
    coordinatorState = Files.createTempDirectory("smbgw-e2e-lost-");
    int port;
    try (var a = new java.net.ServerSocket(0); var b = new java.net.ServerSocket(0)) {
      port = a.getLocalPort();
      zkPort = b.getLocalPort();
    }
    config = new CoordinatorConfig("127.0.0.1", port, null, "", zkPort, coordinatorState, 4000, "127.0.0.1:0", 2000, 250,
        "text").withTls(Cli.PKI.node("coordinator"));
    startCoordinator();
    Cli.admin(coordinator.address(), config);
    node = keep(new SandboxAgent().coordinators(List.of(coordinator.address())).tls(Cli.PKI.node("test")).looping(1));
    node.storageCfg("zfspool: tank\n\tpool " + pool.name() + "\n\tcontent images,rootdir\n");
    node.start();
    client = keep(new SmbClient("127.0.0.1", node.port()));
    Eventually.until(Duration.ofSeconds(20), () -> coordinator.view().live().containsKey("test"), x -> x);
  }

  /** A client of the coordinator's ZooKeeper, authenticated as coordinators are (nobody else may read it). */
  private CuratorFramework zk() {
    CuratorFramework zk = keep(ZooKeeperAccess.builder("127.0.0.1:" + zkPort, ClusterKey.read("clusterKey", config.clusterKey()))
        .retryPolicy(new RetryNTimes(3, 200)).build());
    zk.start();
    return zk;
  }

  @Test
  void anInvalidShareWrittenStraightIntoZooKeeperStopsOnlyItself() throws Exception {
    cluster();
    String alice = node.user("bad");
    String password = "Bad-" + ThreadLocalRandom.current().nextInt(1 << 30);
    cli(password + "\n", "user", "add", alice, "--password-stdin");
    cli(null, "share", "create", "fine", "--storage", "tank", "--write", alice);
    assertEquals(0, Eventually.until(Duration.ofSeconds(30), () -> client.run("fine", alice, password, "ls"),
        r -> r.exitCode() == 0).exitCode());
    // Past every check of the coordinator: a share Samba would read as [a b], placed on the node.
    CuratorFramework zk = zk();
    zk.create().forPath("/smbgw/v1/shares/a++b", ("{\"name\": \"a  b\", \"storage\": {\"pve\": \"tank\"}, "
        + "\"read\": {\"users\": [\"" + alice + "\"]}}").getBytes(StandardCharsets.UTF_8));
    zk.create().forPath("/smbgw/v1/placements/a++b", "{\"share\": \"a  b\", \"node\": \"test\"}"
        .getBytes(StandardCharsets.UTF_8));
    JsonNode bad = Eventually.until(Duration.ofSeconds(30), () -> share("a  b"),
        s -> s.path("status").path("errors").toString().contains("refused"));
    assertTrue(bad.path("status").path("errors").toString().contains("spec.name"), bad.toString());
    // A share created after it is published: nothing waits for the bad one.
    cli(null, "share", "create", "after", "--storage", "tank", "--write", alice);
    assertEquals(0, Eventually.until(Duration.ofSeconds(30), () -> client.run("after", alice, password, "ls"),
        r -> r.exitCode() == 0).exitCode());
    assertEquals(0, client.run("fine", alice, password, "ls").exitCode());
  }

  private JsonNode share(String name) throws Exception {
    for (JsonNode s : json.readTree(cli(null, "share", "list", "-o", "json")).path("shares")) {
      if (s.path("spec").path("name").asText().equals(name)) {
        return s;
      }
    }
    return json.createObjectNode();
  }

  @Test
  void aLostZnodeAndAWipedZooKeeperRemoveNothingUntilConfirmed() throws Exception {
    cluster();
    String alice = node.user("lost");
    String bob = node.user("lost");
    String password = "Lost-" + ThreadLocalRandom.current().nextInt(1 << 30);
    cli(password + "\n", "user", "add", alice, "--password-stdin");
    cli(password + "\n", "user", "add", bob, "--password-stdin");
    cli(null, "share", "create", "kept", "--storage", "tank", "--write", alice);
    // bob reads a share of his own: a node is given only the accounts its shares name.
    cli(null, "share", "create", "bobs", "--storage", "tank", "--read", bob);
    Path file = client.localFile("precious.txt");
    Files.writeString(file, "still here");
    CommandResult put = Eventually.until(Duration.ofSeconds(30),
        () -> client.run("kept", alice, password, "put " + file + " precious.txt"), r -> r.exitCode() == 0);
    assertEquals(0, put.exitCode(), SmbClient.output(put));

    // A znode deleted by hand: bob's account stays (he still signs in, and is refused the share
    // he never had), the node reports the loss, and an event says what to do.
    zk().delete().forPath("/smbgw/v1/users/" + bob);
    JsonNode lost = Eventually.until(Duration.ofSeconds(30), this::node, n -> n.path("losses").toString().contains(bob));
    assertEquals("[\"user/" + bob + "\"]", lost.path("losses").toString(), lastNodes);
    assertTrue(Eventually.until(Duration.ofSeconds(10), () -> eventSays("node.loss", "user/" + bob), x -> x));
    assertTrue(SmbClient.output(client.run("kept", bob, password, "ls")).contains("NT_STATUS_ACCESS_DENIED"),
        "bob's account is kept");

    // ZooKeeper rebuilt from nothing, then the agent restarted: another cluster to the agent. It
    // keeps serving what it had, reports, and waits.
    coordinator.close();
    org.smbgw.agent.testing.TestDirs.delete(coordinatorState);
    Files.createDirectories(coordinatorState);
    startCoordinator();
    Cli.admin(coordinator.address(), config); // a new cluster: root mints its first token again
    node.stopAgentOnly();
    node.start();
    JsonNode foreign = Eventually.until(Duration.ofSeconds(30), this::node,
        n -> !n.path("foreignCluster").asText().isEmpty() && n.path("losses").toString().contains("share/kept")
            && n.path("errors").toString().contains("was refused")); // one report may carry the first two only
    assertTrue(foreign.path("losses").toString().contains("share/kept"), lastNodes);
    assertTrue(foreign.path("errors").toString().contains("was refused"), lastNodes);
    assertTrue(Eventually.until(Duration.ofSeconds(10), () -> eventSays("node.loss", "refuses its state"), x -> x));
    Path back = client.localFile("back.txt");
    CommandResult get = Eventually.until(Duration.ofSeconds(30),
        () -> client.run("kept", alice, password, "get precious.txt " + back), r -> r.exitCode() == 0);
    assertEquals(0, get.exitCode(), "the restarted agent still serves the share: " + SmbClient.output(get));
    assertEquals("still here", Files.readString(back));
    assertEquals("active", pool.property(pool.name() + "/kept", "org.smbgw:state"));

    // Confirmed in two steps. First the node joins the new cluster, removing nothing: what that
    // cluster lacks is then kept as losses against it.
    String joined = cli(null, "node", "confirm-removal", "test");
    assertTrue(joined.contains("joins this cluster") && !joined.contains("removes"), joined);
    JsonNode member = Eventually.until(Duration.ofSeconds(30), this::node,
        n -> n.path("foreignCluster").asText().isEmpty() && n.path("losses").toString().contains("share/kept"));
    assertTrue(member.path("losses").toString().contains("user/" + alice), lastNodes);
    assertEquals(0, client.run("kept", alice, password, "ls").exitCode(), "still served after joining");
    // Then it lets go of them, the way a delete would: unpublished, its data kept.
    String confirmed = cli(null, "node", "confirm-removal", "test");
    assertTrue(confirmed.contains("removes share/kept"), confirmed);
    CommandResult gone = Eventually.until(Duration.ofSeconds(30), () -> client.run("kept", alice, password, "ls"),
        r -> SmbClient.output(r).contains("NT_STATUS_LOGON_FAILURE"));
    assertTrue(SmbClient.output(gone).contains("NT_STATUS_LOGON_FAILURE"), SmbClient.output(gone));
    assertTrue(pool.exists(pool.name() + "/kept"), "a confirmed removal keeps the data, as a delete does");
    assertTrue(Files.readString(pool.mountpoint().resolve("kept/precious.txt")).equals("still here"));
    JsonNode after = Eventually.until(Duration.ofSeconds(30), this::node,
        n -> n.path("foreignCluster").asText().isEmpty() && n.path("losses").size() == 0);
    assertEquals(0, after.path("losses").size(), lastNodes);
    assertEquals("", after.path("foreignCluster").asText(), lastNodes);
  }
}
