package org.smbgw.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.smbgw.coordinator.TestKeys;
import org.smbgw.coordinator.ZooKeeperLeftovers;
import org.smbgw.coordinator.election.Term;
import org.smbgw.proto.v1.UserSpec;

/**
 * The size a transaction is measured at, against a real server: one measured just under the limit
 * is taken (a count that fell short would have it refused by the server closing the connection),
 * and one over it is refused before it is sent, with nothing written.
 */
class TransactionSizeTest {
  @RegisterExtension
  static final ZooKeeperLeftovers LEFTOVERS = new ZooKeeperLeftovers();

  private static final Term TERM = new Term(0, 0);

  /** Creates of users, from the first, until the transaction would measure over {@code bytes}. */
  private static List<CuratorOp> usersUpTo(StateStore store, int from, long bytes) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    for (int i = from; ; i++) {
      CuratorOp next = store.create(ZkPaths.user("u" + i), UserSpec.newBuilder().setName("u" + i)
          .setNtHash("ab".repeat(16)).build());
      ops.add(next);
      if (TransactionSize.bytes(ops, null) > bytes) {
        ops.remove(ops.size() - 1);
        return ops;
      }
    }
  }

  @Test
  void aTransactionJustUnderTheLimitIsTakenAndOneOverItIsNotSent() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = TestKeys.client(server.getConnectString())) {
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      StateStore store = new StateStore(zk, TestKeys.SEAL);
      store.ensureLayout();

      // Room for the fence's three operations (about 150 bytes) within the limit.
      List<CuratorOp> under = usersUpTo(store, 0, TransactionSize.MAX_BYTES - 400);
      assertTrue(TransactionSize.bytes(under, null) > TransactionSize.MAX_BYTES - 2048, "close to the limit");
      store.fenced(TERM, under);
      assertEquals(under.size(), zk.getChildren().forPath(ZkPaths.USERS).size(), "all of it written");

      long generation = store.generation();
      List<CuratorOp> over = usersUpTo(store, under.size(), TransactionSize.MAX_BUFFER);
      over.addAll(usersUpTo(store, under.size() + over.size(), 1024));
      StoreException refused = assertThrows(StoreException.class, () -> store.fenced(TERM, over));
      assertEquals(StoreException.Kind.TOO_LARGE, refused.kind(), refused.getMessage());
      assertTrue(refused.getMessage().contains(over.size() + " writes") && refused.getMessage().contains("jute.maxbuffer"),
          refused.getMessage());
      assertEquals(generation, store.generation(), "nothing written");
      assertEquals(under.size(), zk.getChildren().forPath(ZkPaths.USERS).size());
    }
  }

  @Test
  void theChrootCountsOnceForEveryOperation() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = TestKeys.client(server.getConnectString())) {
      StateStore store = new StateStore(zk, TestKeys.SEAL);
      List<CuratorOp> ops = List.of(store.check(ZkPaths.EPOCH, 0), store.delete(ZkPaths.user("a"), 0));
      assertEquals(TransactionSize.bytes(ops, null) + 2 * "/smbgw-test".length(), TransactionSize.bytes(ops, "/smbgw-test"));
    }
  }
}
