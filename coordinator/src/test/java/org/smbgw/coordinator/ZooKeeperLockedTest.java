package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.smbgw.common.testing.FreePorts;
import io.grpc.ManagedChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.junit.jupiter.api.Test;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.coordinator.state.UserSeal;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.coordinator.zk.ZooKeeperAccess;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.UserSpec;

/**
 * Only coordinators may read or write smbgw's part of ZooKeeper (real ZooKeeper servers): an
 * anonymous client gets NoAuth, CTDB's credential opens its own subtree only, a tree from before
 * the lock is locked and its hashes sealed at start, and a replica with another key is refused.
 */
class ZooKeeperLockedTest {
  private static final String HASH = "8846F7EAEE8FB117AD06BDD830B7586C";

  private static CuratorFramework anonymous(String connect) throws Exception {
    CuratorFramework zk = CuratorFrameworkFactory.newClient(connect, new RetryOneTime(100));
    zk.start();
    assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
    return zk;
  }

  private static CuratorFramework as(String connect, byte[] credential) throws Exception {
    CuratorFramework zk = CuratorFrameworkFactory.builder().connectString(connect).retryPolicy(new RetryOneTime(100))
        .authorization("digest", credential).build();
    zk.start();
    assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
    return zk;
  }

  /** Walks the tree under {@code path}, adding each znode whose ACL is not the one it must have; returns how many. */
  private static int walk(CuratorFramework zk, String path, List<String> open) throws Exception {
    if (!zk.getACL().forPath(path).equals(ZooKeeperAccess.aclFor(TestKeys.KEY, path))) {
      open.add(path + " " + zk.getACL().forPath(path));
    }
    int n = 1;
    if (path.equals(ZooKeeperAccess.CTDB_ROOT)) {
      return n; // what the helper makes in its subtree carries the helper's own ACL
    }
    for (String child : zk.getChildren().forPath(path)) {
      n += walk(zk, path + "/" + child, open);
    }
    return n;
  }

  /** Starts the ensemble alone and makes {@code path} (and its parents) as an anonymous client, open to all. */
  private static void madeBeforeAnyCoordinator(Replicas r, String path) throws Exception {
    r.startZooKeeper();
    try (CuratorFramework anonymous = anonymous(r.zk.getConnectString())) {
      anonymous.create().creatingParentsIfNeeded().forPath(path, "{}".getBytes(StandardCharsets.UTF_8));
    }
  }

  /** Whether {@code condition} holds within 20 s (the view follows ZooKeeper in the background). */
  private static boolean until(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(20);
    }
    return true;
  }

  private static void putUser(Replicas r, Coordinator c, String name, String hash) {
    ManagedChannel ch = Replicas.channel(c.address(), org.smbgw.common.testing.TestTokens.ADMIN);
    r.closeables.add(ch::shutdownNow);
    AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS).putUser(PutUserRequest.newBuilder()
        .setSpec(UserSpec.newBuilder().setName(name).setNtHash(hash)).build());
  }

  @Test
  void anAnonymousClientGetsNoAuthAndCtdbsCredentialOpensItsSubtreeAlone() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      putUser(r, leader, "alice", HASH);
      String connect = r.zk.getConnectString();
      try (CuratorFramework anonymous = anonymous(connect)) {
        for (String path : List.of(ZooKeeperAccess.TOP, ZkPaths.ROOT, ZkPaths.USERS, ZkPaths.user("alice"), ZkPaths.TOKENS)) {
          assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getChildren().forPath(path), path);
          assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData().forPath(path), path);
        }
        assertThrows(KeeperException.NoAuthException.class,
            () -> anonymous.create().forPath(ZkPaths.USERS + "/mallory", new byte[0]));
        assertThrows(KeeperException.NoAuthException.class,
            () -> anonymous.setData().forPath(ZkPaths.user("alice"), new byte[0]));
      }
      try (CuratorFramework ctdb = as(connect, ZooKeeperAccess.credential(TestKeys.KEY, ZooKeeperAccess.CTDB))) {
        ctdb.create().forPath(ZooKeeperAccess.CTDB_ROOT + "/recovery-lock", "n1".getBytes(StandardCharsets.UTF_8));
        assertEquals("n1", new String(ctdb.getData().forPath(ZooKeeperAccess.CTDB_ROOT + "/recovery-lock"),
            StandardCharsets.UTF_8));
        assertThrows(KeeperException.NoAuthException.class, () -> ctdb.getData().forPath(ZkPaths.user("alice")));
        assertThrows(KeeperException.NoAuthException.class, () -> ctdb.getChildren().forPath(ZkPaths.ROOT));
      }
      // The coordinators keep the hash sealed: the znode does not hold it, the view does.
      try (CuratorFramework zk = TestKeys.client(connect)) {
        List<String> open = new java.util.ArrayList<>();
        int walked = walk(zk, ZooKeeperAccess.TOP, open);
        assertEquals(List.of(), open, "znodes without the ACL they must have");
        assertTrue(walked > 20, "the whole tree was walked: " + walked);
        byte[] stored = zk.getData().forPath(ZkPaths.user("alice"));
        assertFalse(new String(stored, StandardCharsets.ISO_8859_1).toUpperCase().contains(HASH), new String(stored));
        assertTrue(UserSeal.sealed(stored));
        // ...and reach the CTDB subtree too (its ACL names both).
        assertEquals(1, zk.getChildren().forPath(ZooKeeperAccess.CTDB_ROOT).size());
      }
      assertEquals(HASH, leader.view().users().get("alice").value().getNtHash());
    }
  }

  @Test
  void aTreeFromBeforeTheLockIsLockedAndItsHashesSealedAtStart() throws Exception {
    try (Replicas r = new Replicas()) {
      r.startZooKeeper();
      String connect = r.zk.getConnectString();
      try (CuratorFramework old = anonymous(connect)) {
        old.create().creatingParentsIfNeeded().forPath(ZkPaths.user("bob"),
            ("{\"name\":\"bob\",\"ntHash\":\"" + HASH + "\"}").getBytes(StandardCharsets.UTF_8));
        old.create().creatingParentsIfNeeded().forPath(ZkPaths.EVENTS + "/e-0000000001", "{}".getBytes(StandardCharsets.UTF_8));
        old.create().forPath(ZkPaths.CLUSTER, "an older smbgw's".getBytes(StandardCharsets.UTF_8));
      }
      r.start(1);
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      try (CuratorFramework anonymous = anonymous(connect)) {
        for (String path : List.of(ZkPaths.user("bob"), ZkPaths.EVENTS + "/e-0000000001", ZkPaths.EVENTS, ZkPaths.ROOT)) {
          assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData().forPath(path), path);
        }
      }
      try (CuratorFramework zk = TestKeys.client(connect)) {
        byte[] stored = zk.getData().forPath(ZkPaths.user("bob"));
        assertTrue(UserSeal.sealed(stored), new String(stored, StandardCharsets.UTF_8));
        assertEquals(HASH, TestKeys.SEAL.open(stored).getNtHash());
      }
      assertEquals(HASH, leader.view().users().get("bob").value().getNtHash());
    }
  }

  @Test
  void anOpenTreeThatNoCoordinatorMadeIsRefusedNotTakenOver() throws Exception {
    try (Replicas r = new Replicas()) {
      // Made before any coordinator started: a token whose secret the stranger knows.
      madeBeforeAnyCoordinator(r, ZkPaths.TOKENS + "/mine");
      Coordinator first = new Coordinator(r.config());
      r.coordinators.add(first);
      InvalidSpecException e = assertThrows(InvalidSpecException.class, first::start);
      assertEquals("zookeeper", e.violations().get(0).field());
      assertTrue(e.getMessage().contains("no smbgw coordinator made it"), e.getMessage());
    }
  }

  @Test
  void aUserWhoseHashDoesNotOpenIsWithheldAndItsPasswordCanBeSetAgain() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      putUser(r, leader, "carol", HASH);
      try (CuratorFramework zk = TestKeys.client(r.zk.getConnectString())) {
        // Dave's sealed hash moved into carol's record: it does not open for carol.
        byte[] daves = TestKeys.SEAL.bytes(UserSpec.newBuilder().setName("dave").setNtHash(HASH).build());
        org.smbgw.proto.v1.StoredUser moved = org.smbgw.coordinator.state.Json.parse(daves,
            org.smbgw.proto.v1.StoredUser.getDefaultInstance()).toBuilder().setName("carol").build();
        zk.setData().forPath(ZkPaths.user("carol"), org.smbgw.coordinator.state.Json.bytes(moved));
      }
      assertTrue(until(() -> leader.view().users().get("carol").value().getNtHash().isEmpty()), "withheld, not dropped");
      String other = "31D6CFE0D16AE931B73C59D7E0C089C0";
      putUser(r, leader, "carol", other);
      assertTrue(until(() -> leader.view().users().get("carol").value().getNtHash().equals(other)), "set again");
      try (CuratorFramework zk = TestKeys.client(r.zk.getConnectString())) {
        // Dave's whole record copied into carol's znode opens, but names dave: withheld too.
        zk.setData().forPath(ZkPaths.user("carol"), TestKeys.SEAL.bytes(UserSpec.newBuilder().setName("dave")
            .setNtHash(HASH).build()));
      }
      assertTrue(until(() -> leader.view().users().get("carol").value().getNtHash().isEmpty()), "a record of another name");
    }
  }

  @Test
  void anOpenTreeHoldingNoStateYetIsSimplyLocked() throws Exception {
    try (Replicas r = new Replicas()) {
      // A CTDB helper that came before any coordinator, with CTDB's own (open) ACL.
      madeBeforeAnyCoordinator(r, ZooKeeperAccess.CTDB_ROOT + "/recovery-lock");
      r.add(); // no token granted first: that would be state
      r.awaitLeader(Duration.ofSeconds(20));
      try (CuratorFramework anonymous = anonymous(r.zk.getConnectString())) {
        assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getChildren().forPath(ZooKeeperAccess.TOP));
        assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getData().forPath(ZooKeeperAccess.CTDB_ROOT));
      }
    }
  }

  @Test
  void aReplicaWithAnotherKeyIsRefusedNamingTheSetting() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      r.awaitLeader(Duration.ofSeconds(20));
      Path other = r.tempDir().resolve("other.key");
      ClusterKey.create(other);
      Coordinator stranger = new Coordinator(r.config().withClusterKey(other));
      r.coordinators.add(stranger);
      InvalidSpecException e = assertThrows(InvalidSpecException.class, stranger::start);
      assertEquals("clusterKey", e.violations().get(0).field());
      assertTrue(e.getMessage().contains("locked with another cluster key"), e.getMessage());
    }
  }

  @Test
  void aClusterOfOneMakesItsKeyAndKeepsItsZooKeeperDataToItself() throws Exception {
    try (Replicas r = new Replicas()) {
      Path state = r.tempDir();
      CoordinatorConfig config = new CoordinatorConfig("127.0.0.1", FreePorts.one(), null, "", FreePorts.one(),
          state, 3000, "127.0.0.1:0", 2000, 250, "text").withTls(Replicas.PKI.node("solo"));
      try (Coordinator solo = new Coordinator(config)) {
        solo.start();
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(config.clusterKey())));
        for (Path dir : List.of(state.resolve("zookeeper"), state.resolve("zookeeper/data"))) {
          assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), dir.toString());
        }
        try (CuratorFramework anonymous = anonymous("127.0.0.1:" + config.embeddedZooKeeperPort())) {
          assertThrows(KeeperException.NoAuthException.class, () -> anonymous.getChildren().forPath(ZkPaths.ROOT));
        }
      }
      // Started again, it reads the key it made.
      try (Coordinator again = new Coordinator(config)) {
        again.start();
        assertTrue(again.view().users().isEmpty());
      }
    }
  }
}
