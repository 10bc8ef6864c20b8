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

  /**
   * Creates of users until the transaction would measure over {@code bytes}: each operation's own
   * share counted once (what one more adds to a transaction is what it adds alone).
   */
  private static List<CuratorOp> usersUpTo(StateStore store, int from, long bytes) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    long empty = TransactionSize.bytes(List.of(), null);
    long size = empty;
    for (int i = from; ; i++) {
      CuratorOp next = store.create(ZkPaths.user("u" + i), UserSpec.newBuilder().setName("u" + i)
          .setNtHash("ab".repeat(16)).build());
      long more = TransactionSize.bytes(List.of(next), null) - empty;
      if (size + more > bytes) {
        return ops;
      }
      ops.add(next);
      size += more;
    }
  }

  @Test
  void aTransactionJustUnderTheLimitIsTakenAndOneOverItIsNotSent() throws Exception {
    try (TestingServer server = new TestingServer();
        CuratorFramework zk = TestKeys.client(server.getConnectString())) {
      assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
      StateStore store = new StateStore(zk, TestKeys.SEAL);
      store.ensureLayout();

      // Room for the fence's two operations within the limit.
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

  /**
   * The measure is the server's own, to the byte, through a chroot: a request measured at exactly
   * jute.maxbuffer is taken, and one a byte larger makes the server close the connection (and so
   * is never sent by StateStore).
   */
  @Test
  void theServerTakesWhatIsMeasuredAtItsLimitAndNotOneByteMore() throws Exception {
    try (TestingServer server = new TestingServer()) {
      try (CuratorFramework root = TestKeys.client(server.getConnectString())) {
        root.create().forPath("/chrooted");
      }
      try (CuratorFramework zk = TestKeys.client(server.getConnectString() + "/chrooted")) {
        assertTrue(zk.blockUntilConnected(30, TimeUnit.SECONDS));
        assertEquals(4, zk.transaction().forOperations(atSize(zk, "a", TransactionSize.MAX_BUFFER)).size(),
            "four creates taken");
        assertThrows(Exception.class, () -> zk.transaction().forOperations(atSize(zk, "b", TransactionSize.MAX_BUFFER + 1)));
        assertEquals(List.of("a0", "a1", "a2", "a3"), zk.getChildren().forPath("/").stream().sorted().toList());
      }
    }
  }

  /** Four creates under {@code prefix} measuring exactly {@code bytes} through the client's chroot. */
  private static List<CuratorOp> atSize(CuratorFramework zk, String prefix, int bytes) throws Exception {
    String chroot = "/chrooted";
    List<CuratorOp> ops = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      ops.add(zk.transactionOp().create().forPath("/" + prefix + i, new byte[200_000]));
    }
    CuratorOp empty = zk.transactionOp().create().forPath("/" + prefix + 3, new byte[0]);
    List<CuratorOp> with = new ArrayList<>(ops);
    with.add(empty);
    long rest = bytes - TransactionSize.bytes(with, chroot);
    ops.add(zk.transactionOp().create().forPath("/" + prefix + 3, new byte[Math.toIntExact(rest)]));
    assertEquals(bytes, TransactionSize.bytes(ops, chroot));
    return ops;
  }
}
