package org.smbgw.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;
import org.smbgw.proto.v1.ZfsStorage;

/** When a pass may plan on the last look: tables, no I/O. */
class QuickLookTest {
  private static final long SECOND = 1_000_000_000L;
  private static final SambaIds.Seen IDS_SEEN = new SambaIds.Seen(null, Map.of(), null, false);

  private static Observed seen(String zfsProblem, SambaIds.Seen ids) {
    return new Observed(Map.of(), Set.of(), null, true, Map.of(), Map.of(), Map.of(), Map.of(),
        SmbStatus.Connections.UNKNOWN, Set.of(), zfsProblem, ids);
  }

  private static ShareSpec dir(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder()
        .setDirectory(DirectoryStorage.newBuilder().setPath("/srv/" + name))).build();
  }

  private static ShareSpec zfs(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder()
        .setZfs(ZfsStorage.newBuilder().setParent("tank/smb"))).build();
  }

  private static UserSpec user(String name, String hash) {
    return UserSpec.newBuilder().setName(name).setNtHash(hash).build();
  }

  private static NodeDesiredState.Builder state(ShareSpec... shares) {
    return NodeDesiredState.newBuilder().setNode("n1").setGeneration(7).addAllShares(List.of(shares))
        .addUsers(user("ann", "A".repeat(32)));
  }

  private static QuickLook.Base base(NodeDesiredState d) {
    return new QuickLook.Base(d, seen(null, IDS_SEEN), 100 * SECOND);
  }

  private static List<String> quick(NodeDesiredState before, NodeDesiredState.Builder next) {
    return QuickLook.additions(base(before), next.build(), 101 * SECOND);
  }

  @Test
  void sharesOnDirectoryStorageAddedToAnUnchangedStateAreQuick() {
    NodeDesiredState before = state(dir("a"), zfs("z")).build();
    // a failover: the share, its address, the intents and the counters change
    assertEquals(List.of("b"), quick(before, state(dir("a"), zfs("z"), dir("b")).setGeneration(9).setEpoch(2)
        .addAddresses(AddressAssignment.newBuilder().setAddress("10.0.0.50/24")).addRemovals("share/c")));
    // and the accounts it needs
    assertEquals(List.of("b", "c"), quick(before, state(dir("a"), zfs("z"), dir("c"), dir("b"))
        .addUsers(user("bob", "B".repeat(32)))));
  }

  @Test
  void anythingElseWaitsForAWholeLook() {
    NodeDesiredState before = state(dir("a"), zfs("z")).build();
    assertEquals(List.of(), quick(before, state(dir("a"), zfs("z"))), "nothing added");
    assertEquals(List.of(), quick(before, state(dir("a"), zfs("z"), zfs("y"))), "a share on ZFS: only zfs get tells");
    assertEquals(List.of(), quick(before, state(dir("a"), zfs("z"), zfs("y"), dir("b"))), "one of them on ZFS");
    assertEquals(List.of(), quick(before, state(dir("a"), dir("b"))), "a share removed");
    assertEquals(List.of(), quick(before, state(dir("a").toBuilder().setComment("new").build(), zfs("z"), dir("b"))),
        "a share changed");
    assertEquals(List.of(), quick(before, state(dir("a"), zfs("z"), dir("b")).setUsers(0, user("ann", "C".repeat(32)))),
        "an account's hash changed");
    assertEquals(List.of(), quick(before, state(dir("a"), zfs("z"), dir("b")).clearUsers()), "an account removed");
    assertEquals(List.of(), quick(before, state(dir("a"), zfs("z"), dir("b")).addPurgeShares("old")), "a purge");
    assertEquals(List.of(), QuickLook.additions(null, state(dir("b")).build(), SECOND), "no idle pass to plan on");
  }

  @Test
  void aLookOlderThanAMinuteIsNotPlannedOn() {
    NodeDesiredState before = state(dir("a")).build();
    NodeDesiredState next = state(dir("a"), dir("b")).build();
    long limit = QuickLook.MAX_AGE.toNanos();
    assertEquals(List.of("b"), QuickLook.additions(base(before), next, 100 * SECOND + limit));
    assertEquals(List.of(), QuickLook.additions(base(before), next, 100 * SECOND + limit + 1));
  }

  @Test
  void aStateThatOnlyMovesAddressesOrCountsAnotherTermNeedsNoLook() {
    NodeDesiredState before = state(dir("a"), zfs("z")).setEpoch(1).build();
    QuickLook.Base base = base(before);
    long now = 101 * SECOND;
    assertTrue(QuickLook.onlyCountersDiffer(base, state(dir("a"), zfs("z")).setGeneration(8).setEpoch(2).build(), now),
        "a new leader's term");
    assertTrue(QuickLook.onlyCountersDiffer(base, state(dir("a"), zfs("z")).setEpoch(1)
        .addAddresses(AddressAssignment.newBuilder().setAddress("10.0.0.50/24")).build(), now), "an address moved");
    assertFalse(QuickLook.onlyCountersDiffer(base, state(dir("a"), zfs("z"), dir("b")).setEpoch(2).build(), now),
        "a share added: that is additions()");
    assertFalse(QuickLook.onlyCountersDiffer(base, state(dir("a").toBuilder().setComment("new").build(), zfs("z")).build(), now),
        "a share changed");
    assertFalse(QuickLook.onlyCountersDiffer(base, state(dir("a"), zfs("z")).addRemovals("share/c").build(), now), "a removal");
    assertFalse(QuickLook.onlyCountersDiffer(base, state(dir("a"), zfs("z")).addPurgeShares("old").build(), now), "a purge");
    assertFalse(QuickLook.onlyCountersDiffer(base, state(dir("a"), zfs("z")).setUsers(0, user("ann", "C".repeat(32))).build(),
        now), "an account's hash changed");
    assertFalse(QuickLook.onlyCountersDiffer(base, before, now), "the same state: the timer's pass, which looks");
    NodeDesiredState term = before.toBuilder().setEpoch(2).build();
    assertFalse(QuickLook.onlyCountersDiffer(null, term, now), "no idle pass to plan on");
    assertTrue(QuickLook.onlyCountersDiffer(base, term, 100 * SECOND + QuickLook.MAX_AGE.toNanos()));
    assertFalse(QuickLook.onlyCountersDiffer(base, term, 100 * SECOND + QuickLook.MAX_AGE.toNanos() + 1), "a look too old");
  }

  @Test
  void theBaseStaysOnlyAfterAStateWithOnlyNewCountersThatChangedNothing() {
    NodeDesiredState before = state(dir("a")).setEpoch(1).build();
    QuickLook.Base base = base(before);
    NodeDesiredState term = before.toBuilder().setEpoch(2).setGeneration(8).build();
    Observed refreshed = new Observed(Map.of(), Set.of(), "[a]\n", true, Map.of(), Map.of(), Map.of(), Map.of(),
        SmbStatus.Connections.UNKNOWN, Set.of(), null, IDS_SEEN); // what a quick pass re-read: not kept
    long now = 101 * SECOND;
    QuickLook.Base kept = QuickLook.Base.after(base, term, refreshed, plan(false), true, now);
    assertEquals(term, kept.desired(), "the next state is compared with the new term's");
    assertEquals(base.observed(), kept.observed(), "the whole look's observations, not the refreshed ones");
    assertEquals(base.observedAtNanos(), kept.observedAtNanos(), "aged from the whole look");
    assertEquals(List.of("b"), QuickLook.additions(kept, term.toBuilder().addShares(dir("b")).build(), now),
        "so the move that follows the new term is planned on it too");

    assertNull(QuickLook.Base.after(base, term, refreshed, plan(true), true, now), "the pass found something to do");
    assertNull(QuickLook.Base.after(base, term, refreshed, removalsOnly(), true, now),
        "only removals, which a quick pass leaves to the whole look: still something to do");
    assertNull(QuickLook.Base.after(base, term, refreshed, plan(false), true, 100 * SECOND + QuickLook.MAX_AGE.toNanos() + 1),
        "a base too old to plan on is not kept either");
    assertNull(QuickLook.Base.after(base, term, refreshed, plan(false), false, now), "something failed (a reload owed)");
    assertNull(QuickLook.Base.after(base, state(dir("a"), dir("b")).setEpoch(1).build(), refreshed, plan(false), true, now),
        "a quick pass that added a share: the next pass looks");
    assertNull(QuickLook.Base.after(base, before, refreshed, plan(false), true, now), "the base's own state again");
    NodeDesiredState looked = state(dir("a")).build();
    assertEquals(new QuickLook.Base(looked, refreshed, now), QuickLook.Base.after(null, looked, refreshed, plan(false), true,
        now), "after a whole look, its own base");
  }

  private static Plan removalsOnly() {
    Plan p = plan(false);
    return new Plan(p.prerequisites(), p.userUnits(), p.sambaAccounts(), p.remounts(), p.waiting(), p.shareUnits(), false,
        List.of(new Unit("user/old", List.of(new Step.DeleteSambaAccount("old")))), p.blocked(), p.acls());
  }

  private static Plan plan(boolean publish) {
    return new Plan(List.of(), List.of(), Optional.empty(), List.of(), Map.of(), List.of(), publish, List.of(), Map.of(),
        new WindowsAcls(Optional.empty(), Optional.empty(), null, Map.of(), List.of(), List.of(), null, Map.of(),
            Map.of(), "g"));
  }

  @Test
  void onlyAPassThatFoundNothingToDoAndSawEverythingIsABase() {
    NodeDesiredState d = state(dir("a")).build();
    assertNotNull(QuickLook.Base.of(d, seen(null, IDS_SEEN), plan(false), 0));
    assertNull(QuickLook.Base.of(d, seen(null, IDS_SEEN), plan(true), 0), "it changed something");
    assertNull(QuickLook.Base.of(d, seen("zfs: no answer", IDS_SEEN), plan(false), 0), "ZFS was not seen");
    assertNull(QuickLook.Base.of(d, seen(null, SambaIds.Seen.UNKNOWN), plan(false), 0), "Samba's SIDs were not seen");
  }
}
