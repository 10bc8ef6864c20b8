package org.smbgw.coordinator.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.OpResult;
import org.smbgw.coordinator.election.Term;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;

/**
 * Writes to /smbgw/v1. Leader writes go through {@link #fenced}: one ZooKeeper transaction that
 * first checks the epoch znode still has the version the leader's term set, then makes the
 * change, then bumps the generation. A deposed leader's transaction fails as a whole.
 */
public final class StateStore {
  public static final String GENERATION = ZkPaths.ROOT + "/generation";

  private final CuratorFramework zk;
  private final UserSeal seal;
  private final java.util.function.BiConsumer<java.time.Duration, String> timer;

  /** @param seal how users' NT hashes are sealed before they are written */
  public StateStore(CuratorFramework zk, UserSeal seal) {
    this(zk, seal, (took, outcome) -> { });
  }

  /** @param timer told how long each fenced transaction took and how it ended */
  public StateStore(CuratorFramework zk, UserSeal seal, java.util.function.BiConsumer<java.time.Duration, String> timer) {
    this.zk = zk;
    this.seal = seal;
    this.timer = timer;
  }

  public CuratorFramework zk() {
    return zk;
  }

  /** Creates the layout if missing. Idempotent; any replica may call it at start. */
  public void ensureLayout() throws Exception {
    for (String p : List.of(ZkPaths.SHARES, ZkPaths.USERS, ZkPaths.NODES, ZkPaths.PLACEMENTS,
        ZkPaths.PURGES, ZkPaths.LIVE, ZkPaths.MEMBERS, ZkPaths.EVENTS, ZkPaths.ADDRESSES, ZkPaths.LEASES,
        ZkPaths.REMOVED, ZkPaths.TOKENS, ZkPaths.AUDIT)) {
      createIfMissing(p, new byte[0]);
    }
    // Made once, with the state: a ZooKeeper rebuilt from nothing is another cluster to the agents.
    createIfMissing(ZkPaths.CLUSTER, java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    createIfMissing(ZkPaths.EPOCH, "0".getBytes(StandardCharsets.UTF_8));
    createIfMissing(ZkPaths.RIDS, Json.bytes(org.smbgw.proto.v1.RidCounter.getDefaultInstance()));
    createIfMissing(GENERATION, new byte[0]);
    sealClearHashes();
  }

  /**
   * Seals the hashes of users written before hashes were sealed. Not a decision, so not fenced:
   * the user stays the same, only its form in ZooKeeper changes; a record changed meanwhile (by
   * another replica doing the same, or the leader) is left to that write.
   */
  private void sealClearHashes() throws Exception {
    for (String name : zk.getChildren().forPath(ZkPaths.USERS)) {
      String path = ZkPaths.USERS + "/" + name;
      org.apache.zookeeper.data.Stat stat = new org.apache.zookeeper.data.Stat();
      try {
        byte[] data = zk.getData().storingStatIn(stat).forPath(path);
        if (!UserSeal.sealed(data)) {
          zk.setData().withVersion(stat.getVersion()).forPath(path, seal.bytes(seal.open(data)));
        }
      } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
        // deleted or rewritten meanwhile
      }
    }
  }

  /** What a znode holds for {@code value}: users with their hash sealed, everything else as JSON. */
  private byte[] bytes(com.google.protobuf.Message value) {
    return value instanceof org.smbgw.proto.v1.UserSpec user ? seal.bytes(user) : Json.bytes(value);
  }

  private void createIfMissing(String path, byte[] data) throws Exception {
    try {
      zk.create().creatingParentsIfNeeded().forPath(path, data);
    } catch (KeeperException.NodeExistsException e) {
      // already there
    }
  }

  /** The generation ZooKeeper is at now (not the cache's). */
  public long generation() throws Exception {
    return zk.checkExists().forPath(GENERATION).getVersion();
  }

  /** The chroot of the connect string ZooKeeper's client puts before every path, or null. */
  private String chroot() {
    return new org.apache.zookeeper.client.ConnectStringParser(zk.getZookeeperClient().getCurrentConnectionString())
        .getChrootPath();
  }

  /** Operations a fenced write is made of. */
  public List<CuratorOp> ops() {
    return new ArrayList<>();
  }

  public CuratorOp create(String path, com.google.protobuf.Message value) throws Exception {
    return zk.transactionOp().create().forPath(path, bytes(value));
  }

  public CuratorOp set(String path, com.google.protobuf.Message value, int version) throws Exception {
    return zk.transactionOp().setData().withVersion(version).forPath(path, bytes(value));
  }

  /**
   * Whether decision {@code id} wrote one of the newest {@code lookback} events, as ZooKeeper
   * has them now (not as a view that may be re-reading them after a reconnect shows them).
   */
  public boolean decided(String id, int lookback) throws Exception {
    List<String> names = new ArrayList<>(zk.getChildren().forPath(ZkPaths.EVENTS));
    names.sort(java.util.Comparator.reverseOrder()); // sequence numbers of one width: newest first
    for (String name : names.subList(0, Math.min(lookback, names.size()))) {
      byte[] data;
      try {
        data = zk.getData().forPath(ZkPaths.EVENTS + "/" + name);
      } catch (org.apache.zookeeper.KeeperException.NoNodeException trimmed) {
        continue;
      }
      if (Json.parse(data, org.smbgw.proto.v1.Event.getDefaultInstance()).getDecision().equals(id)) {
        return true;
      }
    }
    return false;
  }

  /** Records an event in the same transaction as the change it describes. */
  public CuratorOp event(org.smbgw.proto.v1.Event event) throws Exception {
    return zk.transactionOp().create().withMode(CreateMode.PERSISTENT_SEQUENTIAL)
        .forPath(ZkPaths.EVENT_PREFIX, Json.bytes(event));
  }

  /**
   * Claims the telling of alert number {@code count} of a share on a node; false when it was
   * claimed before (ZooKeeper's create decides).
   */
  public boolean markAlert(String node, String share, int count) throws Exception {
    try {
      zk.create().creatingParentsIfNeeded().forPath(ZkPaths.ALERTS + "/" + node + "/" + ZkPaths.shareKey(share) + "-" + count);
      return true;
    } catch (KeeperException.NodeExistsException e) {
      return false;
    }
  }

  /**
   * Records an event that is no leader's decision (an agent's quota alert, say): any replica may,
   * outside a fenced transaction. Events are append-only, so nothing can conflict.
   */
  public void recordEvent(org.smbgw.proto.v1.Event event) throws Exception {
    zk.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).forPath(ZkPaths.EVENT_PREFIX, Json.bytes(event));
  }

  /** Fails the transaction unless the znode still has {@code version}. */
  public CuratorOp check(String path, int version) throws Exception {
    return zk.transactionOp().check().withVersion(version).forPath(path);
  }

  public CuratorOp delete(String path, int version) throws Exception {
    return zk.transactionOp().delete().withVersion(version).forPath(path);
  }

  /**
   * Runs {@code ops} as one transaction fenced by {@code term}.
   *
   * @throws StoreException NOT_LEADER when the epoch moved on, else by the first failing op
   */
  public void fenced(Term term, List<CuratorOp> ops) throws StoreException {
    fenced(term, -1, ops);
  }

  /**
   * Runs {@code ops} as one transaction fenced by {@code term} and, unless it is -1, by the
   * {@code generation} the change was decided on. Curator repeats a transaction whose answer the
   * connection lost; a repeat of one that landed fails on the generation (MOVED).
   *
   * @throws StoreException NOT_LEADER when the epoch moved on, MOVED when the generation did, else
   *     by the first failing op
   */
  public void fenced(Term term, long generation, List<CuratorOp> ops) throws StoreException {
    long start = System.nanoTime();
    String outcome = "ok";
    try {
      write(term, generation, ops);
    } catch (StoreException e) {
      outcome = e.kind().name().toLowerCase(java.util.Locale.ROOT);
      throw e;
    } finally {
      timer.accept(java.time.Duration.ofNanos(System.nanoTime() - start), outcome);
    }
  }

  private void write(Term term, long generation, List<CuratorOp> ops) throws StoreException {
    List<CuratorOp> all = new ArrayList<>();
    try {
      all.add(zk.transactionOp().check().withVersion(term.epochVersion()).forPath(ZkPaths.EPOCH));
      if (generation >= 0) {
        // The generation znode's version is the generation. Checked first, so that a repeat of a
        // transaction that landed fails here, not on its own creates.
        all.add(zk.transactionOp().check().withVersion(Math.toIntExact(generation)).forPath(GENERATION));
      }
      all.addAll(ops);
      all.add(zk.transactionOp().setData().forPath(GENERATION, new byte[0]));
      long bytes = TransactionSize.bytes(all, chroot());
      if (bytes > TransactionSize.MAX_BYTES) {
        throw new StoreException(StoreException.Kind.TOO_LARGE, "this change is " + ops.size() + " writes, "
            + bytes / 1024 + " KiB in one ZooKeeper transaction, more than the " + TransactionSize.MAX_BYTES / 1024
            + " KiB one may hold (ZooKeeper's jute.maxbuffer is " + TransactionSize.MAX_BUFFER / 1024 + " KiB); nothing "
            + "was written: make it in parts (an apply: fewer resources in each file)");
      }
      zk.transaction().forOperations(all);
    } catch (StoreException e) {
      throw e;
    } catch (KeeperException e) {
      throw translate(e, all);
    } catch (Exception e) {
      throw new StoreException(StoreException.Kind.UNAVAILABLE, "ZooKeeper: " + e.getMessage());
    }
  }

  private static StoreException translate(KeeperException e, List<CuratorOp> ops) {
    List<OpResult> results = e.getResults();
    int failed = -1;
    KeeperException.Code code = e.code();
    if (results != null) {
      for (int i = 0; i < results.size(); i++) {
        if (results.get(i) instanceof OpResult.ErrorResult err && err.getErr() != 0) {
          failed = i;
          code = KeeperException.Code.get(err.getErr());
          break;
        }
      }
    }
    if (failed == 0) {
      return new StoreException(StoreException.Kind.NOT_LEADER, "this coordinator is no longer the leader");
    }
    if (failed == 1 && code == KeeperException.Code.BADVERSION
        && ops.get(1).getTypeAndPath().getForPath().equals(GENERATION)) {
      return new StoreException(StoreException.Kind.MOVED, "the state changed while this was decided; retry");
    }
    String path = failed > 0 && failed < ops.size() ? ops.get(failed).getTypeAndPath().getForPath() : e.getPath();
    return switch (code) {
      case NODEEXISTS -> new StoreException(StoreException.Kind.EXISTS, path + " exists");
      case NONODE -> new StoreException(StoreException.Kind.NOT_FOUND, path + " does not exist");
      case BADVERSION -> new StoreException(StoreException.Kind.CONFLICT, path + " was changed concurrently; retry");
      case CONNECTIONLOSS, SESSIONEXPIRED, OPERATIONTIMEOUT ->
          new StoreException(StoreException.Kind.UNAVAILABLE, "ZooKeeper: " + code);
      default -> new StoreException(StoreException.Kind.UNAVAILABLE, "ZooKeeper refused the change: " + code);
    };
  }

  /** Registers a node the first time its agent says hello. Any replica; idempotent. */
  public void ensureNode(String node) throws Exception {
    createIfMissing(ZkPaths.node(node), Json.bytes(NodeRecord.newBuilder().setName(node).build()));
    // The lease znode exists before the node can hold anything, so that the leader's reassignment
    // can always name the lease version it saw (see ha.AddressDuties).
    createIfMissing(ZkPaths.lease(node), Json.bytes(org.smbgw.proto.v1.LeaseRecord.newBuilder().setNode(node).build()));
  }

  /**
   * Records that this replica holds the agent's stream: an ephemeral znode owned by this replica's
   * ZooKeeper session, replacing one an older stream left (another incarnation, or a lower stream
   * number of this one). A record of a newer stream is left alone: this one is stale.
   */
  public void putLive(LiveNode live) throws Exception {
    String path = ZkPaths.live(live.getNode());
    long mine = zk.getZookeeperClient().getZooKeeper().getSessionId();
    for (int attempt = 0; attempt < 5; attempt++) {
      org.apache.zookeeper.data.Stat s = new org.apache.zookeeper.data.Stat();
      LiveNode current;
      try {
        current = Json.parse(zk.getData().storingStatIn(s).forPath(path), LiveNode.getDefaultInstance());
      } catch (KeeperException.NoNodeException e) {
        try {
          zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, Json.bytes(live));
          return;
        } catch (KeeperException.NodeExistsException raced) {
          continue;
        }
      }
      if (current.getIncarnation().equals(live.getIncarnation()) && current.getStream() > live.getStream()) {
        return; // the agent has moved on to a newer stream (at another replica, perhaps)
      }
      try {
        if (s.getEphemeralOwner() == mine) {
          zk.setData().withVersion(s.getVersion()).forPath(path, Json.bytes(live));
        } else {
          // Left by a replica that lost the stream: take it over so it dies with our session.
          zk.delete().withVersion(s.getVersion()).forPath(path);
          zk.create().withMode(CreateMode.EPHEMERAL).forPath(path, Json.bytes(live));
        }
        return;
      } catch (KeeperException.BadVersionException | KeeperException.NoNodeException | KeeperException.NodeExistsException e) {
        // changed under us: look again
      }
    }
  }

  /** Removes the live record if it is still about this stream and still this replica's. */
  public void removeLive(LiveNode live) throws Exception {
    String path = ZkPaths.live(live.getNode());
    org.apache.zookeeper.data.Stat s = new org.apache.zookeeper.data.Stat();
    try {
      byte[] data = zk.getData().storingStatIn(s).forPath(path);
      LiveNode current = Json.parse(data, LiveNode.getDefaultInstance());
      if (current.getIncarnation().equals(live.getIncarnation()) && current.getStream() == live.getStream()
          && s.getEphemeralOwner() == zk.getZookeeperClient().getZooKeeper().getSessionId()) {
        zk.delete().withVersion(s.getVersion()).forPath(path);
      }
    } catch (KeeperException.NoNodeException | KeeperException.BadVersionException e) {
      // gone already, or a newer stream took it over
    }
  }
}
