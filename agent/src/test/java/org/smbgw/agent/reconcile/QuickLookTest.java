package org.smbgw.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.ZfsStorage;

/** When a pass may plan on the last look: a table, no I/O. */
class QuickLookTest {
  private static final long SECOND = 1_000_000_000L;
  private static final Observed SEEN = new Observed(Map.of(), Set.of(), null, true, Map.of(), Map.of(), Map.of(), Map.of());

  private static ShareSpec dir(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder()
        .setDirectory(DirectoryStorage.newBuilder().setPath("/srv/" + name))).build();
  }

  private static ShareSpec zfs(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder()
        .setZfs(ZfsStorage.newBuilder().setParent("tank/smb"))).build();
  }

  private static NodeDesiredState state(ShareSpec... shares) {
    return NodeDesiredState.newBuilder().addAllShares(List.of(shares)).build();
  }

  private static QuickLook.Base base(NodeDesiredState d) {
    return new QuickLook.Base(d, SEEN, 100 * SECOND);
  }

  @Test
  void onlyAdditionsOnDirectoryStorageOnAFreshIdleLookAreQuick() {
    NodeDesiredState before = state(dir("a"), zfs("z"));
    long soon = 101 * SECOND;
    // a failover or a create: the added share, by name
    assertEquals(List.of("b"), QuickLook.additions(base(before), state(dir("a"), zfs("z"), dir("b")), soon));
    // added while another went: the removal waits for the full pass (Plan.withoutRemovals)
    assertEquals(List.of("b", "c"), QuickLook.additions(base(before), state(dir("c"), dir("b")), soon));
    // nothing added: a change or a removal is judged on a whole look
    assertEquals(List.of(), QuickLook.additions(base(before), state(dir("a")), soon));
    assertEquals(List.of(), QuickLook.additions(base(before), before, soon));
    // a share on ZFS: only zfs get tells whether its dataset is there
    assertEquals(List.of(), QuickLook.additions(base(before), state(dir("a"), zfs("z"), zfs("y")), soon));
    assertEquals(List.of(), QuickLook.additions(base(before), state(dir("a"), zfs("z"), zfs("y"), dir("b")), soon));
    // no idle pass to plan on (the first pass, or the last one changed something)
    assertEquals(List.of(), QuickLook.additions(null, state(dir("b")), soon));
  }

  @Test
  void aLookOlderThanAMinuteIsNotPlannedOn() {
    NodeDesiredState before = state(dir("a"));
    NodeDesiredState next = state(dir("a"), dir("b"));
    long at = 100 * SECOND;
    long limit = QuickLook.MAX_AGE.toNanos();
    assertEquals(List.of("b"), QuickLook.additions(base(before), next, at + limit));
    assertEquals(List.of(), QuickLook.additions(base(before), next, at + limit + 1));
  }
}
