package org.smbgw.coordinator.state;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.RidCounter;
import org.smbgw.proto.v1.UserSpec;

/**
 * Every replica's view of /smbgw/v1, kept by a Curator cache and updated per event (only the
 * changed znode is parsed). Reads are lock-free and may trail ZooKeeper by a moment; writes never
 * rely on them being current, since every write is compare-and-set.
 */
public final class ClusterView implements AutoCloseable {
  private final CuratorCache cache;
  private final Map<String, Versioned<ShareSpec>> shares = new ConcurrentHashMap<>();
  private final Map<String, Versioned<UserSpec>> users = new ConcurrentHashMap<>();
  private final Map<String, Versioned<org.smbgw.proto.v1.TokenRecord>> tokens = new ConcurrentHashMap<>();
  private final Map<String, Versioned<NodeRecord>> nodes = new ConcurrentHashMap<>();
  private final Map<String, Versioned<Placement>> placements = new ConcurrentHashMap<>();
  private final Map<String, PendingPurge> purges = new ConcurrentHashMap<>();
  private final Map<String, LiveNode> live = new ConcurrentHashMap<>();
  private final Map<String, Tracked<org.smbgw.proto.v1.AddressRecord>> addresses = new ConcurrentHashMap<>();
  private final Map<String, Tracked<org.smbgw.proto.v1.LeaseRecord>> leases = new ConcurrentHashMap<>();
  private final List<java.util.function.Consumer<String>> leaseListeners = new CopyOnWriteArrayList<>();
  private final java.util.concurrent.ConcurrentSkipListMap<Long, Event> events = new java.util.concurrent.ConcurrentSkipListMap<>();
  private final java.util.concurrent.ConcurrentSkipListMap<Long, org.smbgw.proto.v1.AuditRecord> audit =
      new java.util.concurrent.ConcurrentSkipListMap<>();
  private final List<java.util.function.Consumer<Event>> eventListeners = new CopyOnWriteArrayList<>();
  private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
  private final List<java.util.function.Consumer<LiveNode>> liveListeners = new CopyOnWriteArrayList<>();
  private final CountDownLatch initialized = new CountDownLatch(1);
  private volatile long epoch;
  private volatile long generation;
  private volatile String cluster = "";
  private volatile Versioned<RidCounter> rids = new Versioned<>(RidCounter.getDefaultInstance(), -1);
  private final Map<String, Versioned<org.smbgw.proto.v1.Removal>> removed = new ConcurrentHashMap<>();

  /** This replica's monotonic clock, in nanoseconds: when it first saw each version, for ages shown to people. */
  private final java.util.function.LongSupplier ticker;
  /** Its time connected to ZooKeeper: what lease expiry counts (see {@link ListeningClock}). */
  private final ListeningClock listening;

  /** @param seal opens users' sealed NT hashes */
  public ClusterView(CuratorFramework zk, UserSeal seal) {
    this(zk, seal, System::nanoTime);
  }

  public ClusterView(CuratorFramework zk, UserSeal seal, java.util.function.LongSupplier ticker) {
    this.zk = zk;
    this.seal = seal;
    this.ticker = ticker;
    this.listening = new ListeningClock(ticker);
    zk.getConnectionStateListenable().addListener((client, state) -> {
      // READ_ONLY counts as connected for Curator, but a read-only server sees no renewals.
      if (state == ConnectionState.CONNECTED || state == ConnectionState.RECONNECTED) {
        listening.connected();
      } else {
        listening.disconnected(unnoticed(client));
      }
      if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
        synchronized (generationSeen) {
          outages++;
          settled = false;
        }
      } else if (state == ConnectionState.RECONNECTED) {
        settler.execute(this::settle);
      }
    });
    if (zk.getZookeeperClient().isConnected()) {
      listening.connected(); // connected before the listener was added: no event will say so
      if (!zk.getZookeeperClient().isConnected()) {
        listening.disconnected(unnoticed(zk)); // and lost in between, its event perhaps already gone by
      }
    }
    this.cache = CuratorCache.build(zk, ZkPaths.ROOT);
    cache.listenable().addListener(CuratorCacheListener.builder()
        .forCreatesAndChanges((old, node) -> apply(node, false))
        .forDeletes(node -> apply(node, true))
        .forInitialized(initialized::countDown)
        .build());
  }

  /**
   * How long a connection can have been dead before the client says so: its read timeout, two
   * thirds of the negotiated session timeout (the connection timeout before any was negotiated).
   */
  private static long unnoticed(CuratorFramework zk) {
    int negotiated = zk.getZookeeperClient().getLastNegotiatedSessionTimeoutMs();
    long ms = negotiated > 0 ? negotiated * 2L / 3 : zk.getZookeeperClient().getConnectionTimeoutMs();
    return TimeUnit.MILLISECONDS.toNanos(ms);
  }

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ClusterView.class);
  private final CuratorFramework zk;
  private final UserSeal seal;
  /**
   * Whether the maps are known to show ZooKeeper's desired state at the view's generation. A
   * reconnect makes the cache read everything again in no set order (the generation may arrive
   * before the shares), so from a suspended connection until {@link #settle} has compared the
   * view with ZooKeeper, decisions wait.
   */
  private volatile boolean settled = true;
  private volatile boolean closed;
  private final java.util.concurrent.ExecutorService settler = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "smbgw-view-settle");
    t.setDaemon(true);
    return t;
  });

  /** Whether decisions may trust the view (see {@link #settled}). */
  public boolean settled() {
    return settled;
  }

  /** Waits until the view is settled; false when {@code timeout} passed first. */
  public boolean awaitSettled(java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (generationSeen) {
      while (!settled) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(generationSeen, Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
      }
    }
    return true;
  }

  /** Connections suspended or lost so far; a settling that saw another one begin does not count. Guarded by generationSeen. */
  private long outages;
  /** How long the view may stay unsettled before it says so at WARN. */
  private static final long UNSETTLED_WARN_NANOS = TimeUnit.SECONDS.toNanos(5);

  /** Compares the view with ZooKeeper until they agree, after a reconnect (the settler's thread). */
  private void settle() {
    long start = System.nanoTime();
    long warned = start;
    while (!closed) {
      long outage;
      synchronized (generationSeen) {
        if (settled) {
          return;
        }
        outage = outages;
      }
      try {
        if (!zk.getZookeeperClient().isConnected()) {
          return; // lost again: the next reconnect compares again
        }
        String differs = differsFromZooKeeper();
        if (differs == null) {
          synchronized (generationSeen) {
            if (outages != outage) {
              continue; // the connection went again meanwhile: compare again once it is back
            }
            settled = true;
            generationSeen.notifyAll();
          }
          log.info("state re-read after a reconnect in {} ms (generation {})",
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start), generation);
          // What waited for a view it could trust (desired states for the nodes) goes now.
          listeners.forEach(Runnable::run);
          return;
        }
        if (System.nanoTime() - warned > UNSETTLED_WARN_NANOS) {
          warned = System.nanoTime();
          log.warn("after a reconnect the view still differs from ZooKeeper ({}, for {} s): nothing is decided "
              + "until they agree", differs, TimeUnit.NANOSECONDS.toSeconds(warned - start));
        }
        Thread.sleep(50);
      } catch (InterruptedException e) {
        return;
      } catch (Exception e) {
        log.debug("comparing the view with ZooKeeper: {}", e.toString()); // connection gone again: next try
        try {
          Thread.sleep(50);
        } catch (InterruptedException stop) {
          return;
        }
      }
    }
  }

  /**
   * Null when the view's desired state is ZooKeeper's at the view's generation, else what differs:
   * every share, user, node, placement, removal, address and purge the view has is there with the
   * version the view has, at the generation the view has (one transaction of version checks, one
   * round trip, atomic), and ZooKeeper has no others.
   */
  private String differsFromZooKeeper() throws Exception {
    long at = generation;
    List<org.apache.curator.framework.api.transaction.CuratorOp> checks = new java.util.ArrayList<>();
    checks.add(zk.transactionOp().check().withVersion(Math.toIntExact(at)).forPath(StateStore.GENERATION));
    Map<String, Map<String, ?>> dirs = new java.util.LinkedHashMap<>();
    dirs.put(ZkPaths.SHARES, shares);
    dirs.put(ZkPaths.USERS, users);
    dirs.put(ZkPaths.TOKENS, tokens);
    dirs.put(ZkPaths.NODES, nodes);
    dirs.put(ZkPaths.PLACEMENTS, placements);
    dirs.put(ZkPaths.REMOVED, removed);
    dirs.put(ZkPaths.ADDRESSES, addresses);
    dirs.put(ZkPaths.PURGES, purges);
    for (var d : dirs.entrySet()) {
      for (var e : Map.copyOf(d.getValue()).entrySet()) {
        Object held = e.getValue();
        int version = held instanceof Versioned<?> v ? v.version() : held instanceof Tracked<?> t ? t.version() : -1;
        checks.add(zk.transactionOp().check().withVersion(version).forPath(d.getKey() + "/" + e.getKey()));
      }
    }
    try {
      zk.transaction().forOperations(checks);
    } catch (org.apache.zookeeper.KeeperException e) {
      return e.code() + " at " + failedPath(e, checks);
    }
    // Nothing the view lacks: as many children as the view has entries (the checks held at the
    // generation, and only leaders' fenced writes, which move it, add or remove any).
    for (var d : dirs.entrySet()) {
      int there = zk.getChildren().forPath(d.getKey()).size();
      if (there != d.getValue().size()) {
        return d.getKey() + " has " + there + " entries, the view " + d.getValue().size();
      }
    }
    return zk.checkExists().forPath(StateStore.GENERATION).getVersion() == at && generation == at ? null
        : "the generation moved while comparing";
  }

  private static String failedPath(org.apache.zookeeper.KeeperException e,
      List<org.apache.curator.framework.api.transaction.CuratorOp> ops) {
    List<org.apache.zookeeper.OpResult> results = e.getResults();
    for (int i = 0; results != null && i < results.size() && i < ops.size(); i++) {
      if (results.get(i) instanceof org.apache.zookeeper.OpResult.ErrorResult err && err.getErr() != 0) {
        return ops.get(i).getTypeAndPath().getForPath();
      }
    }
    return "?";
  }

  /** This replica's connected time now, on the clock {@link Tracked#heardNanos} is stamped with. */
  public long heard() {
    return listening.now();
  }

  /** This replica's clock, as the view stamps what it sees. */
  public long now() {
    return ticker.getAsLong();
  }

  public void start(long timeoutMs) throws InterruptedException {
    cache.start();
    if (!initialized.await(timeoutMs, TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException("ZooKeeper state not loaded within " + timeoutMs + " ms");
    }
  }

  /**
   * Called (on Curator's event thread) after every change, and (on the settling thread) when the
   * view settles after a reconnect. Listeners must be quick.
   */
  public void onChange(Runnable listener) {
    listeners.add(listener);
  }

  /** Changes applied so far but renewals, counted after each is in the maps. */
  private final java.util.concurrent.atomic.AtomicLong changes = new java.util.concurrent.atomic.AtomicLong();

  /**
   * How many changes the view has applied, renewals (lease changes) not counted: a copy of its maps
   * taken after reading {@code n} shows at least those; while it still reads {@code n}, nothing but
   * leases has changed since.
   */
  public long changes() {
    return changes.get();
  }

  /** Changes applied so far to what nodes' desired states are made of; agents' reports and events not counted. */
  private final java.util.concurrent.atomic.AtomicLong desiredChanges = new java.util.concurrent.atomic.AtomicLong();

  /**
   * How many changes the view has applied to what {@code DesiredStates} reads (shares, users,
   * nodes, placements, purges, removals, addresses, the generation): unlike {@link #changes()},
   * it stands still while agents only report, which they do every pass.
   */
  public long desiredChanges() {
    return desiredChanges.get();
  }

  private static final Set<String> DESIRED = Set.of(ZkPaths.SHARES, ZkPaths.USERS, ZkPaths.NODES, ZkPaths.PLACEMENTS,
      ZkPaths.PURGES, ZkPaths.REMOVED, ZkPaths.ADDRESSES, ZkPaths.ROOT);

  private void apply(ChildData d, boolean deleted) {
    String path = d.getPath();
    int slash = path.lastIndexOf('/');
    String parent = path.substring(0, slash);
    if (applyOne(d, deleted, parent, path.substring(slash + 1))) {
      // Counted before anyone is told: a listener that looks at once must not be handed a copy
      // taken before this change (the leader's clearing up waited for the next report once).
      if (DESIRED.contains(parent)) {
        desiredChanges.incrementAndGet();
      }
      changes.incrementAndGet();
      listeners.forEach(Runnable::run);
    }
  }

  /** @return whether anything but a lease or an audit record changed */
  private boolean applyOne(ChildData d, boolean deleted, String parent, String key) {
    String path = d.getPath();
    byte[] data = d.getData() == null ? new byte[0] : d.getData();
    int version = d.getStat() == null ? -1 : d.getStat().getVersion();
    switch (parent) {
      case ZkPaths.SHARES -> put(shares, key, deleted, () -> new Versioned<>(Json.parse(data, ShareSpec.getDefaultInstance()), version));
      case ZkPaths.USERS -> user(key, deleted, data, version);
      case ZkPaths.TOKENS -> put(tokens, key, deleted,
          () -> new Versioned<>(Json.parse(data, org.smbgw.proto.v1.TokenRecord.getDefaultInstance()), version));
      case ZkPaths.NODES -> put(nodes, key, deleted, () -> new Versioned<>(Json.parse(data, NodeRecord.getDefaultInstance()), version));
      case ZkPaths.PLACEMENTS -> put(placements, key, deleted, () -> new Versioned<>(Json.parse(data, Placement.getDefaultInstance()), version));
      case ZkPaths.PURGES -> put(purges, key, deleted, () -> Json.parse(data, PendingPurge.getDefaultInstance()));
      case ZkPaths.REMOVED -> put(removed, key, deleted,
          () -> new Versioned<>(Json.parse(data, org.smbgw.proto.v1.Removal.getDefaultInstance()), version));
      case ZkPaths.ADDRESSES -> track(addresses, key, deleted, d, () -> Json.parse(data, org.smbgw.proto.v1.AddressRecord.getDefaultInstance()));
      case ZkPaths.LEASES -> {
        // Renewals come several times a second per node: they tell only lease listeners.
        track(leases, key, deleted, d, () -> Json.parse(data, org.smbgw.proto.v1.LeaseRecord.getDefaultInstance()));
        leaseListeners.forEach(l -> l.accept(key));
        return false;
      }
      case ZkPaths.LIVE -> {
        put(live, key, deleted || data.length == 0, () -> Json.parse(data, LiveNode.getDefaultInstance()));
        LiveNode now = live.get(key);
        if (now != null) {
          liveListeners.forEach(l -> l.accept(now));
        }
      }
      case ZkPaths.AUDIT -> {
        // Not desired state: a record changes no decision, so it is not counted as a change.
        long seq = Long.parseLong(key.substring(2)) + 1;
        if (deleted) {
          audit.remove(seq);
        } else {
          audit.put(seq, Json.parse(data, org.smbgw.proto.v1.AuditRecord.getDefaultInstance()).toBuilder().setSeq(seq).build());
        }
        return false;
      }
      case ZkPaths.EVENTS -> {
        // ZooKeeper's sequence starts at 0; positions start at 1 so that "after 0" means "all".
        long seq = Long.parseLong(key.substring(2)) + 1;
        if (deleted) {
          events.remove(seq);
        } else if (!events.containsKey(seq)) {
          Event e = Json.parse(data, Event.getDefaultInstance()).toBuilder().setSeq(seq).build();
          events.put(seq, e);
          eventListeners.forEach(l -> l.accept(e));
        }
      }
      case ZkPaths.ROOT -> {
        if (path.equals(ZkPaths.EPOCH) && !deleted && data.length > 0) {
          epoch = Long.parseLong(new String(data, java.nio.charset.StandardCharsets.UTF_8).strip());
        } else if (path.equals(StateStore.GENERATION) && !deleted) {
          generation = version;
          synchronized (generationSeen) {
            generationSeen.notifyAll();
          }
        } else if (path.equals(ZkPaths.CLUSTER) && !deleted) {
          cluster = new String(data, java.nio.charset.StandardCharsets.UTF_8).strip();
        } else if (path.equals(ZkPaths.RIDS)) {
          rids = deleted ? new Versioned<>(RidCounter.getDefaultInstance(), -1) : new Versioned<>(data.length == 0
              ? RidCounter.getDefaultInstance() : Json.parse(data, RidCounter.getDefaultInstance()), version);
        }
      }
      default -> {
        return false;
      }
    }
    return true;
  }

  /** Keeps the time this replica first saw each version: what lease expiry is measured from. */
  private <T> void track(Map<String, Tracked<T>> map, String key, boolean deleted, ChildData d,
      java.util.function.Supplier<T> value) {
    if (deleted) {
      map.remove(key);
      return;
    }
    int version = d.getStat() == null ? -1 : d.getStat().getVersion();
    long mzxid = d.getStat() == null ? 0 : d.getStat().getMzxid();
    Tracked<T> old = map.get(key);
    boolean same = old != null && old.version() == version;
    map.put(key, new Tracked<>(value.get(), version, mzxid, same ? old.seenNanos() : ticker.getAsLong(),
        same ? old.heardNanos() : listening.now()));
  }

  /**
   * A user whose hash does not open (the record altered, or moved from another user's znode)
   * stays in the view without its hash, saying why: nodes are sent it without one, refuse it as
   * invalid and keep the account as it is (never a loss, never a hash the administrator did not
   * set), and {@code smbgw user passwd} can set it again.
   */
  private void user(String key, boolean deleted, byte[] data, int version) {
    if (deleted) {
      users.remove(key);
      return;
    }
    try {
      UserSpec opened = seal.open(data);
      if (!opened.getName().equals(key)) {
        throw new IllegalStateException("the record names user " + opened.getName());
      }
      users.put(key, new Versioned<>(opened, version));
    } catch (IllegalStateException e) {
      int rid = Json.parse(data, org.smbgw.proto.v1.StoredUser.getDefaultInstance()).getRid();
      users.put(key, new Versioned<>(UserSpec.newBuilder().setName(key).setRid(rid).build(), version));
      log.error("user {} withheld from every node until its password is set again (smbgw user passwd {}): {}", key,
          key, e.getMessage());
    }
  }

  private static <T> void put(Map<String, T> map, String key, boolean deleted, java.util.function.Supplier<T> value) {
    if (deleted) {
      map.remove(key);
    } else {
      map.put(key, value.get());
    }
  }

  /** Told of each new report an agent makes (on Curator's event thread); must be quick. */
  public void onLive(java.util.function.Consumer<LiveNode> listener) {
    liveListeners.add(listener);
  }

  /** The audit trail, oldest first, by position. */
  public java.util.NavigableMap<Long, org.smbgw.proto.v1.AuditRecord> audit() {
    return audit;
  }

  /** Events the view holds, oldest first. */
  public java.util.NavigableMap<Long, Event> events() {
    return events;
  }

  /** Told of each new event (on Curator's event thread); must be quick. */
  public void onEvent(java.util.function.Consumer<Event> listener) {
    eventListeners.add(listener);
  }

  public void removeEventListener(java.util.function.Consumer<Event> listener) {
    eventListeners.remove(listener);
  }

  public Map<String, Versioned<ShareSpec>> shares() {
    return shares;
  }

  public Optional<Versioned<ShareSpec>> share(String name) {
    return Optional.ofNullable(shares.get(ZkPaths.shareKey(name)));
  }

  public Map<String, Versioned<UserSpec>> users() {
    return users;
  }

  /** Administrators' tokens by name. */
  public Map<String, Versioned<org.smbgw.proto.v1.TokenRecord>> tokens() {
    return tokens;
  }

  public Map<String, Versioned<NodeRecord>> nodes() {
    return nodes;
  }

  public Map<String, Versioned<Placement>> placements() {
    return placements;
  }

  public Optional<String> placement(String share) {
    return Optional.ofNullable(placements.get(ZkPaths.shareKey(share))).map(v -> v.value().getNode());
  }

  public Map<String, PendingPurge> purges() {
    return purges;
  }

  /** Floating addresses by address key. */
  public Map<String, Tracked<org.smbgw.proto.v1.AddressRecord>> addresses() {
    return addresses;
  }

  public Optional<Tracked<org.smbgw.proto.v1.AddressRecord>> address(String cidr) {
    return Optional.ofNullable(addresses.get(ZkPaths.addressKey(cidr)));
  }

  /** Node leases by node name, each with the time this replica saw its current version. */
  public Map<String, Tracked<org.smbgw.proto.v1.LeaseRecord>> leases() {
    return leases;
  }

  /** Told of each lease change (on Curator's event thread); must be quick. */
  public void onLease(java.util.function.Consumer<String> listener) {
    leaseListeners.add(listener);
  }

  public Map<String, LiveNode> live() {
    return live;
  }

  public long epoch() {
    return epoch;
  }

  private final Object generationSeen = new Object();

  /**
   * Waits until the view shows generation {@code g} or a later one. The generation znode is the
   * last write of every fenced transaction, so a view at {@code g} shows all of that write.
   *
   * @return false when {@code timeout} passed first
   */
  public boolean awaitGeneration(long g, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (generationSeen) {
      while (generation < g) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(generationSeen, left);
      }
    }
    return true;
  }

  /** Increases with every change of desired state (the version of the generation znode). */
  public long generation() {
    return generation;
  }

  /** The last RID given to a user ({@link ZkPaths#RIDS}); version -1 until loaded. */
  public Versioned<RidCounter> rids() {
    return rids;
  }

  /** The cluster's identity ({@link ZkPaths#CLUSTER}); empty until loaded. */
  public String cluster() {
    return cluster;
  }

  /** Deliberate removals by {@link ZkPaths#removedKey}. */
  public Map<String, Versioned<org.smbgw.proto.v1.Removal>> removed() {
    return removed;
  }

  @Override
  public void close() {
    closed = true;
    settler.shutdownNow();
    cache.close();
  }
}
