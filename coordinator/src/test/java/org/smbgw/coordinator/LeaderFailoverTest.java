package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.smbgw.cli.Smbgw;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.StoreException;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.ListSharesRequest;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.UserSpec;

/** Three coordinator replicas on a real three-server ZooKeeper ensemble. */
class LeaderFailoverTest {
  private static ShareSpec share(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder().setPve("local-zfs"))
        .setRead(Access.newBuilder().addGroups("staff")).build();
  }

  private static String cli(String coordinator, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    List<String> all = new ArrayList<>(List.of("--coordinator", coordinator, "--ca", Replicas.PKI.ca().toString(),
        "--token-file", Replicas.TOKEN_FILE.toString()));
    all.addAll(List.of(args));
    int code = Smbgw.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
    return code + "\n" + out + err;
  }

  private static AdminServiceGrpc.AdminServiceBlockingStub admin(String address, List<ManagedChannel> channels) {
    ManagedChannel ch = Replicas.channel(address);
    channels.add(ch);
    return AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  @Test
  void closingTheLeaderElectsAnotherThatServesAdminCallsWithNoShareLostOrDuplicated() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      Coordinator follower = r.follower();
      r.agent("n1", follower.address(), Replicas.localZfs());
      // Through a follower: forwarded to the leader.
      String created = cli(follower.address(), "share", "create", "before", "--storage", "local-zfs", "--read", "@staff");
      assertTrue(created.startsWith("0\n"), created);

      leader.close();
      r.coordinators.remove(leader);
      Coordinator next = r.awaitLeader(Duration.ofSeconds(30));
      assertNotSame(leader, next);
      String after = cli(r.coordinators.get(0).address() + "," + r.coordinators.get(1).address(),
          "share", "create", "after", "--storage", "local-zfs", "--read", "@staff");
      assertTrue(after.startsWith("0\n"), after);
      String list = cli(next.address(), "share", "list", "-o", "json");
      assertEquals(1, count(list, "\"name\": \"before\""), list);
      assertEquals(1, count(list, "\"name\": \"after\""), list);
      assertTrue(next.view().epoch() >= 2, "the new leader has a new epoch");
      String events = cli(next.address(), "events", "-o", "json");
      assertTrue(events.contains("\"kind\":\"share.created\"") && events.contains("leads with epoch " + next.view().epoch()),
          events);
    }
  }

  @Test
  void twoConcurrentCreatesOfOneNameExactlyOneSucceeds() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      r.agent("n1", leader.address(), Replicas.localZfs());
      // Channels are opened here, on this thread: the callers only use them.
      List<ManagedChannel> channels = new ArrayList<>();
      List<AdminServiceGrpc.AdminServiceBlockingStub> replicas = new ArrayList<>();
      for (Coordinator c : r.coordinators) {
        replicas.add(admin(c.address(), channels));
      }
      ExecutorService pool = Executors.newFixedThreadPool(6);
      try {
        for (int round = 0; round < 5; round++) {
          String name = "dup" + round;
          List<Future<String>> results = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            AdminServiceGrpc.AdminServiceBlockingStub replica = replicas.get(i % 3);
            String spelled = i % 2 == 0 ? name : name.toUpperCase();
            Callable<String> create = () -> {
              try {
                replica.withDeadlineAfter(30, TimeUnit.SECONDS).createShare(CreateShareRequest.newBuilder().setSpec(share(spelled)).build());
                return "ok";
              } catch (StatusRuntimeException e) {
                return e.getStatus().getCode().name();
              }
            };
            results.add(pool.submit(create));
          }
          List<String> outcomes = new ArrayList<>();
          for (Future<String> f : results) {
            outcomes.add(f.get());
          }
          assertEquals(1, outcomes.stream().filter("ok"::equals).count(), outcomes.toString());
          assertEquals(5, outcomes.stream().filter(Status.Code.ALREADY_EXISTS.name()::equals).count(), outcomes.toString());
        }
        List<Share> shares = admin(leader.address(), channels).listShares(ListSharesRequest.getDefaultInstance()).getSharesList();
        assertEquals(5, shares.size());
      } finally {
        pool.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
      }
    }
  }

  @Test
  void aDeposedLeadersWritesAreRejected() throws Exception {
    try (Replicas r = new Replicas().start(2)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      Term old = leader.leadership().term().orElseThrow();
      leader.close();
      r.coordinators.remove(leader);
      Coordinator next = r.awaitLeader(Duration.ofSeconds(30));
      assertTrue(next.leadership().term().orElseThrow().epoch() > old.epoch());
      try (CuratorFramework zk = TestKeys.client(r.zk.getConnectString())) {
        StateStore stale = new StateStore(zk, TestKeys.SEAL);
        var ops = stale.ops();
        ops.add(stale.create(ZkPaths.user("intruder"), UserSpec.newBuilder().setName("intruder").build()));
        StoreException e = assertThrows(StoreException.class, () -> stale.fenced(old, ops));
        assertEquals(StoreException.Kind.NOT_LEADER, e.kind());
        assertTrue(zk.checkExists().forPath(ZkPaths.user("intruder")) == null, "nothing was written");
      }
    }
  }

  @Test
  void sigkillOfTheLeadersProcessElectsANewLeaderThatServes() throws Exception {
    try (Replicas r = new Replicas().start(0)) {
      CoordinatorConfig cfg = r.config();
      java.nio.file.Path conf = r.tempDir().resolve("coordinator.yaml");
      java.nio.file.Files.writeString(conf, "listen: 127.0.0.1:" + cfg.listenPort() + "\nzookeeper: "
          + r.zk.getConnectString() + "\nsessionTimeoutMs: 3000\nstateDir: " + cfg.stateDir() + "\nmetricsListen: \"\"\n"
          + "clusterKey: " + cfg.clusterKey() + "\n"
          + "tls: {ca: " + cfg.tls().ca() + ", cert: " + cfg.tls().cert() + ", key: " + cfg.tls().key() + "}\n");
      Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-cp", System.getProperty("java.class.path"), CoordinatorMain.class.getName(), "run", "-c", conf.toString())
          .redirectErrorStream(true).redirectOutput(cfg.stateDir().resolve("log").toFile()).start();
      try {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        String status = "";
        while (System.nanoTime() < deadline && !(status.startsWith("0\n") && status.contains("leader        " + cfg.advertise()))) {
          status = cli(cfg.advertise(), "status");
          Thread.sleep(100);
        }
        assertTrue(status.startsWith("0\n") && status.contains("leader        " + cfg.advertise()), status);
        Coordinator survivor = r.add();
        r.agent("n1", survivor.address(), Replicas.localZfs());
        p.destroyForcibly().waitFor(); // SIGKILL: no goodbye to ZooKeeper
        Coordinator next = r.awaitLeader(Duration.ofSeconds(30));
        assertEquals(survivor, next);
        String created = cli(survivor.address(), "share", "create", "afterkill", "--storage", "local-zfs", "--read", "@staff");
        assertTrue(created.startsWith("0\n"), created);
      } finally {
        p.destroyForcibly().waitFor();
      }
    }
  }

  @Test
  void drainMovesSharedStorageAndKeepsNodeLocalSharesSayingWhy() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator c = r.awaitLeader(Duration.ofSeconds(20));
      org.smbgw.proto.v1.StorageOffer ceph = org.smbgw.proto.v1.StorageOffer.newBuilder().setId("cephfs")
          .setType("cephfs").setPath("/mnt/pve/cephfs/smbgw").setShared(true).setFreeBytes(1L << 40).build();
      r.agent("n1", c.address(), ceph, Replicas.localZfs());
      assertTrue(cli(c.address(), "share", "create", "shared", "--storage", "cephfs", "--read", "@staff").startsWith("0\n"));
      assertTrue(cli(c.address(), "share", "create", "local", "--storage", "local-zfs", "--read", "@staff").startsWith("0\n"));
      Replicas.FakeAgent n2 = r.agent("n2", c.address(), ceph, Replicas.localZfs());
      String drained = cli(c.address(), "node", "drain", "n1", "-o", "json");
      assertTrue(drained.startsWith("0\n"), drained);
      assertTrue(drained.contains("\"shared\": \"n2\""), drained);
      assertTrue(drained.contains("node-local storage of n1"), drained);
      String list = cli(c.address(), "share", "list", "-o", "json");
      assertTrue(list.contains("\"node\": \"n2\""), list);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (n2.latest().map(d -> d.getSharesCount()).orElse(0) == 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals("shared", n2.latest().orElseThrow().getShares(0).getName(), "n2 is told to serve it");
      String again = cli(c.address(), "share", "create", "more", "--storage", "cephfs", "--read", "@staff", "-o", "json");
      assertTrue(again.contains("\"node\": \"n2\""), "nothing new goes to a node in maintenance: " + again);
      assertTrue(cli(c.address(), "node", "undrain", "n1").startsWith("0\n"));
      assertTrue(cli(c.address(), "share", "list", "-o", "json").contains("\"node\": \"n2\""), "nothing moves back by itself");
    }
  }

  private static int count(String haystack, String needle) {
    int n = 0;
    for (int i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }
}
