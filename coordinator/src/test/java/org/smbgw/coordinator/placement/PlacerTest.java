package org.smbgw.coordinator.placement;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;
import org.smbgw.proto.v1.ZfsStorage;

/** Placement is pure: these tables need no ZooKeeper and no agents. */
class PlacerTest {
  private final Placer placer = new Placer();

  private static StorageOffer zfs(String id, long free) {
    return StorageOffer.newBuilder().setId(id).setType("zfspool").setZfsParent("rpool/data").setFreeBytes(free).build();
  }

  private static StorageOffer ceph(long free) {
    return StorageOffer.newBuilder().setId("cephfs").setType("cephfs").setPath("/mnt/pve/cephfs/smbgw")
        .setFreeBytes(free).setShared(true).build();
  }

  private static Candidate node(String name, StorageOffer... offers) {
    return new Candidate(name, true, false, List.of(offers));
  }

  private static ShareSpec share(String name, String storage, long quota) {
    return ShareSpec.newBuilder().setName(name).setQuotaBytes(quota).setStorage(Storage.newBuilder().setPve(storage)).build();
  }

  @Test
  void sharesGoOnlyToNodesOfferingTheirStorage() {
    Placer.Result r = placer.place(List.of(share("a", "cephfs", 0), share("b", "local-zfs", 0)), Map.of(),
        List.of(node("n1", zfs("local-zfs", 1 << 30)), node("n2", ceph(1 << 30))));
    assertEquals(Map.of("a", "n2", "b", "n1"), r.placed());
  }

  @Test
  void nothingOffersItSoItIsRefusedSayingWhy() {
    Placer.Result r = placer.place(List.of(share("a", "nfs1", 0)), Map.of(), List.of(node("n1", zfs("local-zfs", 1))));
    assertTrue(r.unplaceable().get("a").contains("does not offer storage nfs1"), r.unplaceable().toString());
  }

  @Test
  void maintenanceAndDisconnectedNodesTakeNothingNew() {
    Placer.Result r = placer.place(List.of(share("a", "local-zfs", 0)), Map.of(), List.of(
        new Candidate("n1", true, true, List.of(zfs("local-zfs", 1 << 30))),
        new Candidate("n2", false, false, List.of())));
    assertTrue(r.unplaceable().get("a").contains("n1: in maintenance"));
    assertTrue(r.unplaceable().get("a").contains("n2: not connected"));
  }

  @Test
  void capacityCountsSharesPlacedInTheSameRun() {
    Placer.Result r = placer.place(List.of(share("a", "local-zfs", 600), share("b", "local-zfs", 600)), Map.of(),
        List.of(node("n1", zfs("local-zfs", 1000))));
    assertEquals(Map.of("a", "n1"), r.placed());
    assertTrue(r.unplaceable().get("b").contains("400 bytes free"), r.unplaceable().toString());
  }

  @Test
  void sharesOfOneAddressStayTogether() {
    ShareSpec a = share("a", "cephfs", 0).toBuilder().setAddress("10.0.0.50/24").build();
    ShareSpec b = share("b", "cephfs", 0).toBuilder().setAddress("10.0.0.50/24").build();
    ShareSpec c = share("c", "cephfs", 0);
    Placer.Result r = placer.place(List.of(a, b, c), Map.of(), List.of(node("n1", ceph(1 << 30)), node("n2", ceph(1 << 30))));
    assertEquals(r.placed().get("a"), r.placed().get("b"));
    assertTrue(!r.placed().get("c").equals(r.placed().get("a")), "the other share spreads: " + r.placed());
  }

  @Test
  void loadIsSpreadAndPlacementIsStableUnderRepeatedRuns() {
    List<ShareSpec> shares = new ArrayList<>();
    for (int i = 0; i < 30; i++) {
      shares.add(share("s" + i, "cephfs", 0));
    }
    List<Candidate> nodes = List.of(node("n1", ceph(1L << 40)), node("n2", ceph(1L << 40)), node("n3", ceph(1L << 40)));
    Placer.Result first = placer.place(shares, Map.of(), nodes);
    Map<String, Integer> perNode = new HashMap<>();
    first.placed().values().forEach(n -> perNode.merge(n, 1, Integer::sum));
    assertEquals(Map.of("n1", 10, "n2", 10, "n3", 10), perNode);
    Placer.Result again = placer.place(shares, first.placed(), nodes);
    assertEquals(first.placed(), again.placed(), "nothing moves without a reason");
    List<Candidate> withNew = new ArrayList<>(nodes);
    withNew.add(node("n4", ceph(1L << 40)));
    assertEquals(first.placed(), placer.place(shares, first.placed(), withNew).placed(), "a new node pulls nothing over");
  }

  @Test
  void drainMovesSharedStorageAndKeepsNodeLocalZfsWithReason() {
    ShareSpec shared = share("shared", "cephfs", 0);
    ShareSpec local = share("local", "local-zfs", 0);
    ShareSpec explicit = ShareSpec.newBuilder().setName("explicit")
        .setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent("rpool/data"))).build();
    List<Candidate> drained = List.of(new Candidate("n1", true, true, List.of(ceph(1 << 30), zfs("local-zfs", 1 << 30))),
        node("n2", ceph(1 << 30), zfs("local-zfs", 1 << 30)));
    Placer.Result r = placer.place(List.of(shared, local, explicit),
        Map.of("shared", "n1", "local", "n1", "explicit", "n1"), drained);
    assertEquals("n2", r.placed().get("shared"));
    assertTrue(r.unplaceable().get("local").contains("node-local storage of n1"));
    assertTrue(r.unplaceable().get("explicit").contains("node-local storage of n1"));
  }

  @Test
  void aDisconnectedNodeKeepsItsShares() {
    Placer.Result r = placer.place(List.of(share("a", "local-zfs", 0)), Map.of("a", "n1"),
        List.of(new Candidate("n1", false, false, List.of()), node("n2", zfs("local-zfs", 1 << 30))));
    assertEquals(Map.of("a", "n1"), r.placed());
  }
}
