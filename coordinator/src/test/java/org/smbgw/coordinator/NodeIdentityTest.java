package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.UserSpec;

/**
 * A node's identity is its certificate (issue 13): a real replica on a real ensemble, agents over
 * real mutual TLS. An agent may speak only for the node its certificate names.
 */
class NodeIdentityTest {
  private static final String HASH = "8846F7EAEE8FB117AD06BDD830B7586C";

  private static Status.Code code(Replicas.FakeAgent a) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (a.error.get() == null && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    return Status.fromThrowable(a.error.get()).getCode();
  }

  /** Whether the audit trail shows "WHO METHOD RESULT" within 20 s (records are written in the background). */
  private static boolean audited(AdminServiceGrpc.AdminServiceBlockingStub admin, String line) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      if (admin.listAudit(org.smbgw.proto.v1.ListAuditRequest.getDefaultInstance()).getRecordsList().stream()
          .anyMatch(a -> (a.getWho() + " " + a.getMethod() + " " + a.getResult()).equals(line))) {
        return true;
      }
      Thread.sleep(50);
    }
    return false;
  }

  @Test
  void anotherNodesCertificateCannotSayHelloAsThisNodeAndReceivesNoUser() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator c = r.awaitLeader(Duration.ofSeconds(20));
      ManagedChannel ch = Replicas.channel(c.address());
      try {
        var admin = AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
        Replicas.FakeAgent n2 = r.agent("n2", c.address(), Replicas.localZfs());
        admin.putUser(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("alice").setNtHash(HASH)).build());
        admin.createShare(CreateShareRequest.newBuilder().setSpec(org.smbgw.proto.v1.ShareSpec.newBuilder().setName("docs")
            .setStorage(org.smbgw.proto.v1.Storage.newBuilder().setPve("local-zfs"))
            .setWrite(org.smbgw.proto.v1.Access.newBuilder().addUsers("alice"))).build());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (n2.latest().map(d -> d.getUsersCount()).orElse(0) == 0 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals(1, n2.latest().orElseThrow().getUsersCount(), "the real n2 is given alice's account");

        Replicas.FakeAgent impostor = new Replicas.FakeAgent("n2", c.address(), List.of(Replicas.localZfs()),
            Replicas.PKI.files("n1"));
        r.closeables.add(impostor);
        assertEquals(Status.Code.PERMISSION_DENIED, code(impostor));
        assertTrue(impostor.received.isEmpty(), "no desired state, so no user, reaches n1's certificate");
        assertTrue(impostor.grants.isEmpty());
        assertTrue(Status.fromThrowable(impostor.error.get()).getDescription().contains("may not speak for node n2"));
        assertFalse(n2.error.get() != null, "the real n2's stream is untouched");
        assertTrue(audited(admin, "node certificate n1 Session PERMISSION_DENIED"), "the refusal is in the audit trail");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void anAgentWithoutACertificateIsUnauthenticated() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator c = r.awaitLeader(Duration.ofSeconds(20));
      Replicas.FakeAgent anonymous = new Replicas.FakeAgent("n3", c.address(), List.of(Replicas.localZfs()),
          Replicas.PKI.client());
      r.closeables.add(anonymous);
      assertEquals(Status.Code.UNAUTHENTICATED, code(anonymous));
      assertTrue(anonymous.received.isEmpty());
      assertFalse(c.view().live().containsKey("n3"));
      // Logged as an "smbgw.audit" line only: anyone may open such a stream and nothing throttles
      // it, so it may not spend the ZooKeeper trail's records (AuditTrail).
    }
  }

  @Test
  void aNodeIsGivenOnlyTheAccountsItsSharesNameAndTheOthersAsRemovals() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator c = r.awaitLeader(Duration.ofSeconds(20));
      ManagedChannel ch = Replicas.channel(c.address());
      try {
        var admin = AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
        Replicas.FakeAgent n1 = r.agent("n1", c.address(), offer("zfs-a"));
        Replicas.FakeAgent n2 = r.agent("n2", c.address(), offer("zfs-b"));
        for (String u : List.of("alice", "bob")) {
          admin.putUser(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName(u).setNtHash(HASH)).build());
        }
        admin.createShare(share("a", "zfs-a", "alice"));
        admin.createShare(share("b", "zfs-b", "bob"));
        var d1 = settled(n1, d -> d.getSharesCount() == 1 && d.getRemovalsList().contains("user/bob"));
        assertEquals(List.of("alice"), users(d1));
        var d2 = settled(n2, d -> d.getSharesCount() == 1 && d.getRemovalsList().contains("user/alice"));
        assertEquals(List.of("bob"), users(d2));
        assertTrue(n1.received.stream().noneMatch(d -> users(d).contains("bob")),
            "bob's hash never reached n1, not even while share b was not placed yet");
        assertTrue(n2.received.stream().noneMatch(d -> users(d).contains("alice")));

        // A share on shared storage both offer: both may serve it (a failover, a drain), so both
        // have its account before it moves.
        org.smbgw.proto.v1.StorageOffer ceph = org.smbgw.proto.v1.StorageOffer.newBuilder().setId("cephfs")
            .setType("cephfs").setPath("/mnt/pve/cephfs").setShared(true).setFreeBytes(1L << 40).build();
        Replicas.FakeAgent n3 = r.agent("n3", c.address(), offer("zfs-c"), ceph);
        Replicas.FakeAgent n4 = r.agent("n4", c.address(), offer("zfs-d"), ceph);
        admin.putUser(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("carol").setNtHash(HASH)).build());
        admin.createShare(share("c", "cephfs", "carol"));
        assertEquals(List.of("carol"), users(settled(n3, d -> users(d).contains("carol"))));
        assertEquals(List.of("carol"), users(settled(n4, d -> users(d).contains("carol"))));
        settled(n1, d -> d.getRemovalsList().contains("user/carol"));
        assertTrue(n1.received.stream().noneMatch(d -> users(d).contains("carol")), "a node without that storage never gets it");

        // n4's live record goes, as it does when the replica's ZooKeeper session expires, before
        // the replica puts it back. The state pushed meanwhile must not take carol from n4: it
        // still stands by for share c, and a failover to it would refuse her.
        try (var zk = TestKeys.client(r.zk.getConnectString())) {
          zk.delete().forPath(org.smbgw.coordinator.state.ZkPaths.live("n4"));
        }
        int before = n4.received.size();
        admin.putUser(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("dave").setNtHash(HASH)).build());
        settled(n4, d -> d.getRemovalsList().contains("user/dave"));
        assertTrue(n4.received.subList(before, n4.received.size()).stream()
            .noneMatch(d -> d.getRemovalsList().contains("user/carol") || !users(d).contains("carol")),
            "n4 kept carol while its live record was gone");
      } finally {
        ch.shutdownNow();
      }
    }
  }

  @Test
  void theCliRefusesACoordinatorFromAnotherCaSayingWhy() throws Exception {
    try (Replicas r = new Replicas().start(1);
         org.smbgw.common.testing.TestPki other = org.smbgw.common.testing.TestPki.create()) {
      Coordinator c = r.awaitLeader(Duration.ofSeconds(20));
      java.io.StringWriter err = new java.io.StringWriter();
      int code = org.smbgw.cli.Smbgw.run(new String[] {"--coordinator", c.address(), "--ca", other.ca().toString(),
          "status"}, new java.io.PrintWriter(new java.io.StringWriter()), new java.io.PrintWriter(err, true));
      assertEquals(org.smbgw.common.ExitCodes.UNREACHABLE, code, err.toString());
      assertTrue(err.toString().contains("its certificate was refused") && err.toString().contains(other.ca().toString()),
          err.toString());
    }
  }

  private static List<String> users(org.smbgw.proto.v1.NodeDesiredState d) {
    return d.getUsersList().stream().map(UserSpec::getName).toList();
  }

  /** The first desired state {@code agent} received that passes {@code done}, waiting up to 20 s. */
  private static org.smbgw.proto.v1.NodeDesiredState settled(Replicas.FakeAgent agent,
      java.util.function.Predicate<org.smbgw.proto.v1.NodeDesiredState> done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (System.nanoTime() < deadline) {
      for (var d : agent.received) {
        if (done.test(d)) {
          return d;
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no desired state as expected; received " + agent.received);
  }

  private static org.smbgw.proto.v1.StorageOffer offer(String id) {
    return org.smbgw.proto.v1.StorageOffer.newBuilder().setId(id).setType("zfspool").setZfsParent("rpool/" + id)
        .setFreeBytes(1L << 40).build();
  }

  private static CreateShareRequest share(String name, String storage, String writer) {
    return CreateShareRequest.newBuilder().setSpec(org.smbgw.proto.v1.ShareSpec.newBuilder().setName(name)
        .setStorage(org.smbgw.proto.v1.Storage.newBuilder().setPve(storage))
        .setWrite(org.smbgw.proto.v1.Access.newBuilder().addUsers(writer))).build();
  }
}
