package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.function.Executable;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.Removal;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;
import org.smbgw.proto.v1.UserSpec;

/**
 * A cluster as a decision sees it, built by hand for table tests: no ZooKeeper, no threads. Every
 * znode has version {@value #V}, the snapshot generation {@value #GENERATION}, and the decisions'
 * epoch is {@value #EPOCH} (the view's would be older).
 */
final class Cluster {
  static final int V = 3;
  static final long GENERATION = 40;
  static final long EPOCH = 7;
  static final Context AT = new Context(EPOCH, 1_000_000);

  private final TreeMap<String, Versioned<ShareSpec>> shares = new TreeMap<>();
  private final TreeMap<String, Versioned<Placement>> placements = new TreeMap<>();
  private final TreeMap<String, Versioned<NodeRecord>> nodes = new TreeMap<>();
  private final TreeMap<String, LiveNode> live = new TreeMap<>();
  private final TreeMap<String, Tracked<AddressRecord>> addresses = new TreeMap<>();
  private final TreeMap<String, Tracked<LeaseRecord>> leases = new TreeMap<>();
  private final TreeMap<String, Versioned<UserSpec>> users = new TreeMap<>();
  private final TreeMap<String, Versioned<org.smbgw.proto.v1.TokenRecord>> tokens = new TreeMap<>();
  private final TreeMap<String, PendingPurge> purges = new TreeMap<>();
  private final TreeMap<String, Versioned<Removal>> removed = new TreeMap<>();
  private long seenNow = ms(100_000);
  private long heardNow = ms(100_000);
  private Versioned<org.smbgw.proto.v1.RidCounter> rids = new Versioned<>(org.smbgw.proto.v1.RidCounter.getDefaultInstance(), V);

  static long ms(long ms) {
    return Duration.ofMillis(ms).toNanos();
  }

  static StorageOffer localZfs() {
    return StorageOffer.newBuilder().setId("local-zfs").setType("zfspool").setZfsParent("rpool/data")
        .setFreeBytes(1L << 40).build();
  }

  static StorageOffer cephfs() {
    return StorageOffer.newBuilder().setId("cephfs").setType("cephfs").setPath("/mnt/pve/cephfs/smbgw")
        .setFreeBytes(1L << 40).setShared(true).build();
  }

  static ShareSpec share(String name, String storage) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder().setPve(storage))
        .setRead(Access.newBuilder().addGroups("staff")).build();
  }

  /** A connected node, renewing (its lease seen and heard now), offering {@code offers}. */
  Cluster node(String name, StorageOffer... offers) {
    nodes.put(name, new Versioned<>(NodeRecord.newBuilder().setName(name).build(), V));
    live.put(name, LiveNode.newBuilder().setNode(name).setInventory(NodeInventory.newBuilder()
        .addAllStorages(List.of(offers))).setObserved(NodeObservedState.newBuilder().setCluster("c1")).build());
    return lease(name, seenNow, heardNow);
  }

  /** Losses on the node an administrator confirmed, not carried out yet. */
  Cluster confirmed(String name, String... subjects) {
    nodes.put(name, new Versioned<>(nodes.get(name).value().toBuilder().addAllConfirmedRemovals(List.of(subjects)).build(), V));
    return this;
  }

  Cluster maintenance(String name) {
    nodes.put(name, new Versioned<>(nodes.get(name).value().toBuilder().setMaintenance(true).build(), V));
    return this;
  }

  /** The node's lease, its current version (mzxid 50, before any address record) first seen at {@code seen}, heard at {@code heard}. */
  Cluster lease(String node, long seen, long heard, HeldAddress... held) {
    leases.put(node, new Tracked<>(LeaseRecord.newBuilder().setNode(node).addAllHeld(List.of(held)).build(), V, 50,
        seen, heard));
    return this;
  }

  /** A lease version recorded after the address record's (mzxid 900 against 100). */
  Cluster renewedSince(String node, HeldAddress... held) {
    leases.put(node, new Tracked<>(LeaseRecord.newBuilder().setNode(node).addAllHeld(List.of(held)).build(), V + 1, 900,
        seenNow, heardNow));
    return this;
  }

  Cluster observed(String node, NodeObservedState observed) {
    live.put(node, live.get(node).toBuilder().setObserved(observed).build());
    return this;
  }

  Cluster share(ShareSpec spec, String node) {
    shares.put(ZkPaths.shareKey(spec.getName()), new Versioned<>(spec, V));
    if (node != null) {
      placements.put(ZkPaths.shareKey(spec.getName()), new Versioned<>(Placement.newBuilder().setShare(spec.getName())
          .setNode(node).setEpoch(1).build(), V));
    }
    return this;
  }

  /** An address record first seen and heard at {@code heard}, with mzxid 100. */
  Cluster address(AddressRecord a, long heard) {
    addresses.put(ZkPaths.addressKey(a.getAddress()), new Tracked<>(a, V, 100, heard, heard));
    return this;
  }

  /** The last RID given: {@code last}. */
  Cluster lastRid(int last) {
    rids = new Versioned<>(org.smbgw.proto.v1.RidCounter.newBuilder().setLast(last).build(), V);
    return this;
  }

  /** The RID counter not (yet) in the view. */
  Cluster lastRidUnloaded() {
    rids = new Versioned<>(org.smbgw.proto.v1.RidCounter.getDefaultInstance(), -1);
    return this;
  }

  /** A user with a RID. */
  Cluster user(String name, int rid) {
    users.put(name, new Versioned<>(UserSpec.newBuilder().setName(name).setNtHash("a".repeat(32)).setRid(rid).build(), V));
    return this;
  }

  /** A user whose hash did not open: the view holds its name only. */
  Cluster withheldUser(String name) {
    users.put(name, new Versioned<>(UserSpec.newBuilder().setName(name).build(), V));
    return this;
  }

  Cluster user(String name) {
    users.put(name, new Versioned<>(UserSpec.newBuilder().setName(name).setNtHash("a".repeat(32)).build(), V));
    return this;
  }

  Cluster purge(String share, String node, long generation) {
    purges.put(ZkPaths.shareKey(share), PendingPurge.newBuilder().setShare(share).setNode(node)
        .setGeneration(generation).build());
    return this;
  }

  Cluster removal(String subject, long generation) {
    removed.put(ZkPaths.removedKey(subject), new Versioned<>(Removal.newBuilder().setSubject(subject)
        .setGeneration(generation).build(), V));
    return this;
  }

  /** A token named {@code name} with {@code role}, whose secret is {@code name + ".secret"}. */
  Cluster token(String name, org.smbgw.proto.v1.Role role) {
    tokens.put(name, new Versioned<>(org.smbgw.proto.v1.TokenRecord.newBuilder()
        .setToken(org.smbgw.proto.v1.Token.newBuilder().setName(name).setRole(role))
        .setSecretSha256(com.google.protobuf.ByteString.copyFrom(org.smbgw.common.auth.Tokens.sha256(name + ".secret")))
        .build(), V));
    return this;
  }

  /** Moves both clocks to {@code ms}. */
  Cluster at(long ms) {
    seenNow = ms(ms);
    heardNow = ms(ms);
    return this;
  }

  Snapshot snap() {
    return new Snapshot(GENERATION, "c1", shares, placements, nodes, live, addresses, leases, users, tokens, purges,
        removed, rids, seenNow, heardNow);
  }

  /** The paths a change writes, as "create PATH", "update PATH@VERSION", "delete PATH@VERSION", "check PATH@VERSION". */
  static List<String> writes(Change<?> c) {
    return c.writes().stream().map(w -> w instanceof Write.Create ? "create " + w.path()
        : w instanceof Write.Update u ? "update " + u.path() + "@" + u.version()
        : w instanceof Write.Delete d ? "delete " + d.path() + "@" + d.version()
        : "check " + w.path() + "@" + ((Write.Check) w).version()).toList();
  }

  /** The value a change writes at {@code path}. */
  @SuppressWarnings("unchecked")
  static <T> T written(Change<?> c, String path) {
    return (T) c.writes().stream().filter(w -> w.path().equals(path)).map(w -> w instanceof Write.Create x ? x.value()
        : ((Write.Update) w).value()).findFirst().orElseThrow(() -> new AssertionError("nothing written at " + path
        + ": " + writes(c)));
  }

  /** The refusal's code, and that its description holds {@code says}. */
  static void refused(Status.Code code, String says, Executable decision) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, decision);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(says), e.getStatus().getDescription());
  }
}
