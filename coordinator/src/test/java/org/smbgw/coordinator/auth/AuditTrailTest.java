package org.smbgw.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.smbgw.coordinator.ZooKeeperLeftovers;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.AuditRecord;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/** What the audit trail keeps of a request, and that it keeps only the newest records, on a real ZooKeeper. */
class AuditTrailTest {
  @RegisterExtension
  static final ZooKeeperLeftovers LEFTOVERS = new ZooKeeperLeftovers();
  private static final String HASH = "8846F7EAEE8FB117AD06BDD830B7586C";

  private interface Body {
    void run(CuratorFramework zk, ClusterView view) throws Exception;
  }

  /** A real ZooKeeper server with the state's layout, and a view of it. */
  private static void withView(Body body) throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = org.smbgw.coordinator.TestKeys.client(server.getConnectString())) {
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      new StateStore(zk, org.smbgw.coordinator.TestKeys.SEAL).ensureLayout();
      try (ClusterView view = new ClusterView(zk, org.smbgw.coordinator.TestKeys.SEAL)) {
        view.start(30_000);
        body.run(zk, view);
      }
    }
  }

  /** Waits up to 10 s for the view to show what {@code shown} looks for (the writes are in the background). */
  private static void until(java.util.function.BooleanSupplier shown) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!shown.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  @Test
  void nthashesAreReplacedWhereverTheyAreNestedAndAHugeRequestIsCut() {
    String user = Redact.json(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("alice").setNtHash(HASH))
        .build());
    assertFalse(user.contains(HASH), user);
    assertTrue(user.contains("alice") && user.contains(Redact.REPLACED), user);
    String nested = Redact.json(ApplyRequest.newBuilder().addShares(ShareSpec.newBuilder().setName("docs"))
        .addUsers(UserSpec.newBuilder().setName("bob").setNtHash(HASH)).build());
    assertFalse(nested.contains(HASH), nested);
    assertTrue(nested.contains("bob") && nested.contains(Redact.REPLACED) && !nested.contains("characters in all"), nested);
    ApplyRequest.Builder apply = ApplyRequest.newBuilder();
    for (int i = 0; i < 500; i++) {
      apply.addShares(ShareSpec.newBuilder().setName("share-" + i));
    }
    String cut = Redact.json(apply.build());
    assertTrue(cut.length() < Redact.MAX_CHARS + 100 && cut.contains("characters in all"), cut.length() + "");
  }

  /**
   * Every field of every admin request that looks like a secret by its name is marked
   * {@code [debug_redact = true]}: a new one that is not fails here, before it can reach a record.
   */
  @Test
  void everyFieldNamedLikeASecretInAnyAdminRequestIsMarkedToBeRedacted() {
    java.util.regex.Pattern secretish = java.util.regex.Pattern.compile(".*(hash|secret|password|passphrase|private).*");
    List<String> unmarked = new java.util.ArrayList<>();
    java.util.Set<String> seen = new java.util.HashSet<>();
    java.util.ArrayDeque<com.google.protobuf.Descriptors.Descriptor> todo = new java.util.ArrayDeque<>();
    for (var m : org.smbgw.proto.v1.AdminProto.getDescriptor().findServiceByName("AdminService").getMethods()) {
      todo.add(m.getInputType());
    }
    while (!todo.isEmpty()) {
      var d = todo.poll();
      if (!seen.add(d.getFullName())) {
        continue;
      }
      for (var f : d.getFields()) {
        if (f.getJavaType() == com.google.protobuf.Descriptors.FieldDescriptor.JavaType.MESSAGE) {
          todo.add(f.getMessageType());
        } else if (secretish.matcher(f.getName()).matches() && !Redact.secret(f)) {
          unmarked.add(d.getName() + "." + f.getName());
        }
      }
    }
    assertEquals(List.of(), unmarked);
    assertTrue(seen.contains("smbgw.v1.UserSpec"), "the walk reached the users: " + seen);
  }

  @Test
  void aFloodOfRefusalsIsKeptInTheJournalAndOnlySixtyAMinuteInZooKeeper() throws Exception {
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(1_000_000);
    Clock clock = new Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return Instant.ofEpochMilli(now.get());
      }
    };
    withView((zk, view) -> {
      AuditTrail trail = new AuditTrail(zk, view, 1000, clock);
      for (int i = 0; i < 100; i++) {
        trail.refused("unauthenticated", "ListShares", "10.0.0." + i + ":4000", java.util.Optional.empty(), "no token", null);
      }
      trail.refused("locked_out", "ListShares", "10.0.0.1:4000", java.util.Optional.empty(), "locked", null);
      now.addAndGet(AuditTrail.REFUSALS_WINDOW_MS);
      trail.refused("unauthenticated", "CreateShare", "10.0.0.1:4000", java.util.Optional.empty(), "no token", null);
      until(() -> view.audit().size() >= AuditTrail.REFUSALS_PER_WINDOW + 1);
      Thread.sleep(200);
      assertEquals(AuditTrail.REFUSALS_PER_WINDOW + 1, view.audit().size());
      AuditRecord last = view.audit().lastEntry().getValue();
      assertEquals("CreateShare", last.getMethod());
      assertTrue(last.getMessage().contains("and 41 refused call(s) in the minute before"), last.getMessage());
      assertEquals("anonymous", last.getWho());
      assertEquals("UNAUTHENTICATED", last.getResult());
    });
  }

  @Test
  void onlyTheNewestRecordsAreKept() throws Exception {
    withView((zk, view) -> {
      AuditTrail trail = new AuditTrail(zk, view, 3, Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));
      for (int i = 1; i <= 6; i++) {
        trail.record(AuditRecord.newBuilder().setMethod("Call" + i).build());
        int seen = i;
        until(() -> view.audit().values().stream().anyMatch(r -> r.getMethod().equals("Call" + seen)));
      }
      until(() -> view.audit().size() <= 3);
      assertEquals(List.of("Call4", "Call5", "Call6"), view.audit().values().stream().map(AuditRecord::getMethod).toList());
      assertEquals(Instant.parse("2026-11-30T12:00:00Z").toEpochMilli(), view.audit().lastEntry().getValue().getTimeMillis());
    });
  }
}
