package org.smbgw.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.acl.RootAcl;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.samba.PublishedShare;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.common.ClusterSid;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;

/** Samba's SIDs and which shares keep Windows ACLs, as tables: no Samba, no files. */
class WindowsAclsTest {
  private static final String GROUP = "smbgw";
  private static final String CLUSTER = "0b9e3f0c-cluster";
  private static final String CSID = ClusterSid.of(CLUSTER);
  private static final String OWN = "S-1-5-21-11-22-33";
  private static final String HASH = "8846F7EAEE8FB117AD06BDD830B7586C";
  private static final UnixAccount ANN = new UnixAccount("ann", 990, 900, UnixAccount.MANAGED_GECOS);
  private static final UnixAccount BOB = new UnixAccount("bob", 991, 900, UnixAccount.MANAGED_GECOS);

  private static ShareSpec share(String name) {
    return ShareSpec.newBuilder().setName(name)
        .setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath("/srv/" + name)))
        .setRead(Access.newBuilder().addUsers("ann")).setWrite(Access.newBuilder().addUsers("bob")).build();
  }

  private static NodeDesiredState desired(String cluster, ShareSpec... shares) {
    return NodeDesiredState.newBuilder().setCluster(cluster).addAllShares(List.of(shares))
        .addUsers(UserSpec.newBuilder().setName("ann").setNtHash(HASH).setRid(1000))
        .addUsers(UserSpec.newBuilder().setName("bob").setNtHash(HASH).setRid(1001)).build();
  }

  private static Observed node(SambaIds.Seen ids, Map<String, UnixAccount> accounts, Map<Path, RootState> roots) {
    return new Observed(Map.of(), Set.of(), null, true, Map.of("ann", HASH, "bob", HASH), accounts, Map.of(GROUP, 900),
        roots, SmbStatus.Connections.UNKNOWN, Set.of(), null, ids);
  }

  private static RootState root(boolean xattrs, boolean empty, String record) {
    return new RootState(true, 0, 900, RootState.SHARE_MODE, empty, null, xattrs, record);
  }

  private static WindowsAcls decide(NodeDesiredState d, Observed o) {
    Map<String, String> paths = new java.util.TreeMap<>();
    d.getSharesList().forEach(s -> paths.put(s.getName(), s.getStorage().getDirectory().getPath()));
    return WindowsAcls.decide(d, o, paths, Set.of(), Set.of(), GROUP);
  }

  @Test
  void aClusterNodeTakesTheClustersSidAndGivesEachAccountItsRid() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(OWN, null), Map.of("ann", OWN + "-2980",
        "bob", CSID + "-1001"), null);
    WindowsAcls a = decide(desired(CLUSTER), node(ids, Map.of("ann", ANN, "bob", BOB), Map.of()));
    assertNull(a.nodeNote());
    assertEquals(Optional.of(new Step.SetMachineSid(CSID, ids.machine(), true)), a.machine());
    assertEquals(Optional.of(new Step.SetAccountSids(Map.of("ann", CSID + "-1000"))), a.accountSids(),
        "bob's SID is right already");
    WindowsAcls imported = WindowsAcls.decide(desired(CLUSTER), node(ids, Map.of("ann", ANN, "bob", BOB), Map.of()),
        Map.of(), Set.of("bob"), Set.of(), GROUP);
    assertEquals(Set.of("ann", "bob"), imported.accountSids().orElseThrow().sids().keySet(),
        "an import gives bob his uid's SID again");
  }

  @Test
  void aNodeWithSambaAccountsSmbgwDidNotMakeKeepsItsSidAndAnAclShareThereIsNotServedWithoutIt() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(OWN, null), Map.of("ann", OWN + "-2980",
        "carl", OWN + "-3000"), null);
    Observed o = node(ids, Map.of("ann", ANN, "bob", BOB, "carl", new UnixAccount("carl", 1000, 1000, "Carl")),
        Map.of(Path.of("/srv/acl"), root(true, false, "x"), Path.of("/srv/plain"), root(true, true, null)));
    WindowsAcls a = decide(desired(CLUSTER, share("acl"), share("plain")), o);
    assertTrue(a.nodeNote().contains("Samba accounts smbgw did not make (carl)"), a.nodeNote());
    assertFalse(a.machine().isPresent());
    assertFalse(a.accountSids().isPresent(), "no account can have the cluster's SID on this node");
    assertTrue(a.blocked().get("share/acl").startsWith("its files carry Windows ACLs, which this node cannot honour"));
    assertEquals(a.nodeNote(), a.notes().get("plain"));
    assertEquals(Map.of(Path.of("/srv/plain"), PublishedShare.Acls.NONE), a.modes());
  }

  @Test
  void aDomainMembersSidIsNotSmbgwsToChange() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(OWN, "S-1-5-21-7-8-9"), Map.of(), null);
    WindowsAcls a = decide(desired(CLUSTER), node(ids, Map.of(), Map.of()));
    assertTrue(a.nodeNote().contains("another domain (S-1-5-21-7-8-9)"), a.nodeNote());
    assertFalse(a.machine().isPresent());
  }

  @Test
  void emptyOrAlreadyAclRootsKeepAclsAndRootsThatHeldFilesOrLackAttributesFollowTheLists() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(CSID, CSID), Map.of("ann", CSID + "-1000",
        "bob", CSID + "-1001"), null);
    WindowsAcls first = decide(desired(CLUSTER, share("fresh")), node(ids, Map.of("ann", ANN, "bob", BOB),
        Map.of(Path.of("/srv/fresh"), root(true, true, null))));
    String record = first.sids().entries(share("fresh"), ids.accounts(), Map.of()).record();
    Observed o = node(ids, Map.of("ann", ANN, "bob", BOB), Map.of(
        Path.of("/srv/fresh"), root(true, true, null),
        Path.of("/srv/kept"), root(true, false, record),
        Path.of("/srv/old"), root(true, false, null),
        Path.of("/srv/fuse"), root(false, true, null)));
    WindowsAcls a = decide(desired(CLUSTER, share("fresh"), share("kept"), share("old"), share("fuse")), o);
    assertFalse(a.machine().isPresent());
    assertFalse(a.accountSids().isPresent());
    assertEquals(Map.of(Path.of("/srv/fresh"), PublishedShare.Acls.PENDING, Path.of("/srv/kept"), PublishedShare.Acls.ON,
        Path.of("/srv/old"), PublishedShare.Acls.NONE, Path.of("/srv/fuse"), PublishedShare.Acls.NONE), a.modes(),
        "a fresh root is served read-only until its entries are on it");
    assertEquals(List.of("share/fresh"), a.seeds().stream().map(Unit::subject).toList(), "kept's entries are as recorded");
    assertEquals(Map.of("fresh", WindowsAcls.PENDING, "old", WindowsAcls.HELD_FILES, "fuse", WindowsAcls.NO_XATTRS),
        a.notes());
    assertTrue(record.contains("(A;OICI;0x001301ff;;;" + CSID + "-1001)"), record);
  }

  @Test
  void aNodeAloneKeepsItsOwnSidsAndOnlyStoresItAsTheDomainsForSambasTools() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(OWN, null), Map.of("ann", OWN + "-2980"), null);
    WindowsAcls a = decide(desired("", share("s")), node(ids, Map.of("ann", ANN), Map.of(Path.of("/srv/s"),
        root(true, true, null))));
    assertEquals(Optional.of(new Step.SetMachineSid(OWN, ids.machine(), false)), a.machine(), "no restart: smbd knows it");
    assertFalse(a.accountSids().isPresent());
    RootAcl.Entries e = a.sids().entries(share("s"), ids.accounts(), Map.of());
    assertTrue(e.record().contains(OWN + "-2980"));
    assertEquals(List.of("bob"), e.unresolved(), "bob has no account yet");
  }

  @Test
  void aRootIsServedReadOnlyUntilItHasItsEntriesAndThenItsAclDecidesWhoWrites() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(CSID, CSID), Map.of("ann", CSID + "-1000",
        "bob", CSID + "-1001"), null);
    IncludeComposer composer = new IncludeComposer(new IncludeRenderer(GROUP));
    Planner planner = new Planner(GROUP, "include = /x", composer);
    Observed fresh = node(ids, Map.of("ann", ANN, "bob", BOB), Map.of(Path.of("/srv/s"), root(true, true, null)));
    Planner.Result first = planner.plan(desired(CLUSTER, share("s")), fresh);
    String pending = composer.compose(List.of(share("s")), first.paths(), fresh.xattrPaths(), first.plan().acls().modes(),
        Set.of(), null).content();
    assertTrue(pending.contains("\tvfs objects = acl_xattr\n\tacl_xattr:ignore system acls = yes\n"
        + "\tacl flag inherited canonicalization = no\n"), pending);
    assertTrue(pending.contains("\tread only = yes\n") && !pending.contains("write list"), "nobody writes yet: " + pending);
    assertEquals(1, first.plan().acls().seeds().size());

    String record = first.plan().acls().sids().entries(share("s"), ids.accounts(), Map.of(GROUP, 900)).record();
    Observed seeded = node(ids, Map.of("ann", ANN, "bob", BOB), Map.of(Path.of("/srv/s"), root(true, false, record)));
    Planner.Result next = planner.plan(desired(CLUSTER, share("s")), seeded);
    String on = composer.compose(List.of(share("s")), next.paths(), seeded.xattrPaths(), next.plan().acls().modes(),
        Set.of(), null).content();
    assertTrue(on.contains("\tread only = no\n") && !on.contains("write list"), on);
    assertTrue(next.plan().acls().seeds().isEmpty(), "its entries are as recorded");
  }

  @Test
  void aRootWhoseAclWasBeingSetWhenTheAgentStoppedIsServedReadOnlyAndSetAgain() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(CSID, CSID), Map.of(), null);
    String unfinished = RootAcl.UNFINISHED + "\n(A;OICI;0x001f01ff;;;S-1-5-18)";
    WindowsAcls a = decide(desired(CLUSTER, share("s")), node(ids, Map.of(), Map.of(Path.of("/srv/s"),
        root(true, false, unfinished))));
    assertEquals(Map.of(Path.of("/srv/s"), PublishedShare.Acls.PENDING), a.modes());
    assertEquals(1, a.seeds().size());
  }

  @Test
  void aListChangeSetsTheRootAndPassesItDownAndAPassDownOwedFromAnEarlierPassIsDoneAgainWithTheShareWritable() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(CSID, CSID), Map.of(), null);
    ShareSpec readersOnly = share("s").toBuilder().clearWrite().build();
    String before = WindowsAcls.SidSource.of(desired(CLUSTER)).entries(readersOnly, Map.of(), Map.of()).record();
    WindowsAcls changed = decide(desired(CLUSTER, share("s")), node(ids, Map.of(), Map.of(Path.of("/srv/s"),
        root(true, false, before))));
    assertTrue(((Step.SeedAcl) changed.seeds().get(0).steps().get(0)).passDown());
    assertEquals(List.of(new Step.PassDownAcl("s", Path.of("/srv/s"))), changed.passDowns(),
        "bob now writes in existing folders too");

    String now = WindowsAcls.SidSource.of(desired(CLUSTER)).entries(share("s"), Map.of(), Map.of()).record();
    WindowsAcls owed = decide(desired(CLUSTER, share("s")), node(ids, Map.of(), Map.of(Path.of("/srv/s"),
        root(true, false, RootAcl.PASSING_DOWN + "\n" + now))));
    assertEquals(Map.of(Path.of("/srv/s"), PublishedShare.Acls.ON), owed.modes(), "served writable meanwhile");
    assertEquals(1, owed.passDowns().size());

    WindowsAcls fresh = decide(desired(CLUSTER, share("s")), node(ids, Map.of(), Map.of(Path.of("/srv/s"),
        root(true, true, null))));
    assertEquals(List.of(), fresh.passDowns(), "an empty root has nothing inside to pass down to");
  }

  @Test
  void aRestartOfSmbdOwedFromAnEarlierPassIsMadeGood() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(CSID, CSID), Map.of(), null, true);
    assertEquals(Optional.of(new Step.SetMachineSid(CSID, ids.machine(), true)),
        decide(desired(CLUSTER), node(ids, Map.of(), Map.of())).machine());
    assertFalse(decide(desired(CLUSTER), node(new SambaIds.Seen(ids.machine(), Map.of(), null), Map.of(), Map.of()))
        .machine().isPresent(), "nothing owed, nothing to do");
  }

  @Test
  void aRootWithAclsIsNotServedWhereItsAttributesCannotBeSeen() {
    SambaIds.Seen ids = new SambaIds.Seen(new SambaIds.Machine(CSID, CSID), Map.of(), null);
    WindowsAcls a = decide(desired(CLUSTER, share("s")), node(ids, Map.of(), Map.of(Path.of("/srv/s"),
        root(false, false, "x"))));
    assertTrue(a.blocked().get("share/s").contains("its storage shows no extended attributes"), a.blocked().toString());
  }
}
