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

  @Test
  void nthashesAreReplacedWhereverTheyAreNestedAndAHugeRequestIsCut() {
    String user = Redact.json(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("alice").setNtHash(HASH))
        .build());
    assertFalse(user.contains(HASH), user);
    assertTrue(user.contains("alice") && user.contains(Redact.REPLACED), user);
    ApplyRequest.Builder apply = ApplyRequest.newBuilder().addUsers(UserSpec.newBuilder().setName("bob").setNtHash(HASH));
    for (int i = 0; i < 500; i++) {
      apply.addShares(ShareSpec.newBuilder().setName("share-" + i));
    }
    String cut = Redact.json(apply.build());
    assertFalse(cut.contains(HASH), "the hash of a user in an apply");
    assertTrue(cut.length() < Redact.MAX_CHARS + 100 && cut.contains("characters in all"), cut.length() + "");
  }

  @Test
  void onlyTheNewestRecordsAreKept() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = CuratorFrameworkFactory.newClient(server.getConnectString(), new RetryOneTime(100))) {
      zk.start();
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      new StateStore(zk).ensureLayout();
      try (ClusterView view = new ClusterView(zk)) {
        view.start(30_000);
        AuditTrail trail = new AuditTrail(zk, view, 3, Clock.fixed(Instant.parse("2026-11-30T12:00:00Z"), ZoneOffset.UTC));
        for (int i = 1; i <= 6; i++) {
          trail.record(AuditRecord.newBuilder().setMethod("Call" + i).build());
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
          int seen = i;
          while (view.audit().values().stream().noneMatch(r -> r.getMethod().equals("Call" + seen))
              && System.nanoTime() < deadline) {
            Thread.sleep(10);
          }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (view.audit().size() > 3 && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertEquals(List.of("Call4", "Call5", "Call6"), view.audit().values().stream().map(AuditRecord::getMethod).toList());
        assertEquals(Instant.parse("2026-11-30T12:00:00Z").toEpochMilli(), view.audit().lastEntry().getValue().getTimeMillis());
      }
    }
  }
}
