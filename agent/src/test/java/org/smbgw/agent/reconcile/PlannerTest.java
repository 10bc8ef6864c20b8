package org.smbgw.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.agent.zfs.Dataset;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;
import org.smbgw.proto.v1.ZfsStorage;

/** The planner is pure: these tables need no Samba, no ZFS, no accounts. */
class PlannerTest {
  private static final String GROUP = "smbgw";
  private static final String HASH = "8846F7EAEE8FB117AD06BDD830B7586C";
  private final IncludeComposer composer = new IncludeComposer(new IncludeRenderer(GROUP));
  private final Planner planner = new Planner(GROUP, "include = /x", composer);

  private static ShareSpec share(String name, long quota) {
    return ShareSpec.newBuilder().setName(name).setQuotaBytes(quota)
        .setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent("tank/smb")))
        .setWrite(Access.newBuilder().addUsers("alice")).build();
  }

  private static Dataset ds(String name, String share, String state, long quota) {
    return new Dataset(name, "filesystem", quota, 1000, 5000, "/tank/" + name.substring(5), true, share, state);
  }

  /** A node where the parent exists, the group exists and nothing else. */
  private static Observed empty() {
    return new Observed(Map.of("tank/smb", ds("tank/smb", null, null, 0)), Set.of(), null, true,
        Map.of(), Map.of(), Map.of(GROUP, 900), Map.of());
  }

  private static Observed with(Observed o, UnaryOperator<Map<String, Dataset>> datasets, String include,
      Map<Path, RootState> roots) {
    return new Observed(datasets.apply(new HashMap<>(o.datasets())), o.missingParents(), include,
        o.smbConfIncludes(), o.sambaHashes(), o.accounts(), o.groups(), roots);
  }

  private static NodeDesiredState desired(ShareSpec... shares) {
    return NodeDesiredState.newBuilder().addAllShares(List.of(shares)).build();
  }

  /** What the node looks like once {@code desired} has been applied to it. */
  private Observed converged(NodeDesiredState d) {
    Map<String, Dataset> datasets = new HashMap<>(empty().datasets());
    Map<Path, RootState> roots = new HashMap<>();
    Map<String, String> paths = new HashMap<>();
    for (ShareSpec s : d.getSharesList()) {
      Dataset x = ds("tank/smb/" + s.getName(), s.getName(), Dataset.ACTIVE, s.getQuotaBytes());
      datasets.put(x.name(), x);
      roots.put(Path.of(x.mountpoint()), new RootState(true, 0, 900, RootState.SHARE_MODE));
      paths.put(s.getName(), x.mountpoint());
    }
    String include = composer.compose(d.getSharesList(), paths, Set.of(), Map.of(), Set.of(), null).content();
    return with(empty(), m -> datasets, include, roots);
  }

  private static List<Class<?>> kinds(List<Unit> units) {
    return units.stream().flatMap(u -> u.steps().stream()).<Class<?>>map(Object::getClass).toList();
  }

  /**
   * Where DOS attributes live follows what the node found under the root: a converged share whose
   * storage turns out to keep extended attributes (a root observed anew, say after a move to
   * kernel ZFS) is published again with them, and only the include changes.
   */
  @Test
  void whereAttributesLiveFollowsTheObservedStorage() {
    NodeDesiredState d = desired(share("a", 1 << 20));
    Observed modeBits = converged(d);
    assertTrue(planner.plan(d, modeBits).plan().isEmpty(), "converged on mode bits");
    Map<Path, RootState> roots = new HashMap<>();
    modeBits.roots().forEach((path, r) -> roots.put(path, new RootState(r.exists(), r.uid(), r.gid(), r.mode(),
        r.empty(), r.problem(), true)));
    Observed xattrs = with(modeBits, m -> m, modeBits.include(), roots);
    Planner.Result r = planner.plan(d, xattrs);
    assertTrue(r.plan().publish(), "the include is rendered again");
    assertEquals(List.of(), kinds(r.plan().shareUnits()), "no storage step");
    assertTrue(composer.compose(d.getSharesList(), r.paths(), xattrs.xattrPaths(), Map.of(), Set.of(), null).content()
        .contains("store dos attributes = yes"));
    assertTrue(modeBits.include().contains("store dos attributes = no"), modeBits.include());
  }

  @Test
  void newShareCreatesADatasetPreparesItsRootAndPublishes() {
    Plan p = planner.plan(desired(share("a", 1 << 20)), empty()).plan();
    assertEquals(List.of(Step.CreateDataset.class, Step.PrepareRoot.class), kinds(p.shareUnits()));
    assertTrue(p.publish());
    assertEquals(new Step.CreateDataset("tank/smb/a", "a", 1 << 20), p.shareUnits().get(0).steps().get(0));
  }

  @Test
  void convergedNodeNeedsZeroSteps() {
    NodeDesiredState d = desired(share("a", 1 << 20), share("b", 0));
    assertEquals(0, planner.plan(d, converged(d)).plan().size());
  }

  @Test
  void quotaDriftIsChangedInPlace() {
    NodeDesiredState d = desired(share("a", 1 << 20));
    Observed o = with(converged(d), m -> {
      m.put("tank/smb/a", ds("tank/smb/a", "a", Dataset.ACTIVE, 5 << 20));
      return m;
    }, converged(d).include(), converged(d).roots());
    Plan p = planner.plan(d, o).plan();
    assertEquals(List.of(new Step.SetQuota("tank/smb/a", 5 << 20, 1 << 20)), p.shareUnits().get(0).steps());
  }

  @Test
  void handEditedIncludeIsRepublished() {
    NodeDesiredState d = desired(share("a", 0));
    Observed c = converged(d);
    Observed o = with(c, m -> m, c.include() + "\n[evil]\n\tpath = /\n", c.roots());
    Plan p = planner.plan(d, o).plan();
    assertTrue(p.publish());
    assertTrue(p.shareUnits().isEmpty());
  }

  @Test
  void removedShareIsRetiredNotDestroyed() {
    Observed o = converged(desired(share("a", 0)));
    Plan p = planner.plan(desired(), o).plan();
    assertTrue(p.publish());
    assertEquals(List.of(new Step.SetDatasetState("tank/smb/a", Dataset.ACTIVE, Dataset.RETIRED)),
        p.afterPublish().get(0).steps());
  }

  @Test
  void purgeDestroysOnlyWhenAsked() {
    Observed o = with(empty(), m -> {
      m.put("tank/smb/a", ds("tank/smb/a", "a", Dataset.RETIRED, 0));
      return m;
    }, converged(desired()).include(), Map.of());
    assertEquals(0, planner.plan(desired(), o).plan().size(), "a retired dataset is left alone");
    Plan p = planner.plan(NodeDesiredState.newBuilder().addPurgeShares("a").build(), o).plan();
    assertEquals(List.of(new Step.DestroyDataset("tank/smb/a", "a")), p.afterPublish().get(0).steps());
  }

  private static ShareSpec under(String parent, String name) {
    return share(name, 0).toBuilder().setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent(parent)))
        .build();
  }

  @Test
  void aPurgeNextToANestedShareDestroysNothingAndNamesIt() {
    Observed o = with(empty(), m -> {
      m.put("tank/smb/a", ds("tank/smb/a", "a", Dataset.RETIRED, 0));
      m.put("tank/smb/a/b", ds("tank/smb/a/b", "b", Dataset.ACTIVE, 0));
      return m;
    }, null, Map.of());
    Plan p = planner.plan(NodeDesiredState.newBuilder().addShares(under("tank/smb/a", "b")).addPurgeShares("a").build(), o)
        .plan();
    assertTrue(kinds(p.afterPublish()).stream().noneMatch(k -> k == Step.DestroyDataset.class), p.toString());
    assertTrue(p.blocked().get("share/a").contains("tank/smb/a/b (share 'b')"), p.blocked().toString());
  }

  @Test
  void aPurgeDestroysOnlyARetiredDatasetSoAPublishedOneIsRetiredFirst() {
    Observed o = converged(desired(share("a", 0)));
    Plan p = planner.plan(NodeDesiredState.newBuilder().addPurgeShares("a").build(), o).plan();
    assertEquals(List.of(new Step.SetDatasetState("tank/smb/a", Dataset.ACTIVE, Dataset.RETIRED)),
        p.afterPublish().get(0).steps(), "destroyed on the next pass, once unpublished and retired");
  }

  @Test
  void aParentInsideAnotherSharesDatasetIsRefused() {
    NodeDesiredState d = desired(share("a", 0), under("tank/smb/a", "c"));
    Plan p = planner.plan(d, converged(desired(share("a", 0)))).plan();
    assertTrue(p.blocked().get("share/c").contains("inside dataset tank/smb/a of share 'a'"), p.blocked().toString());
    assertTrue(p.shareUnits().stream().noneMatch(u -> u.subject().equals("share/c")));
  }

  @Test
  void aStorageChangeWithinThePoolRenamesTheDatasetWithItsData() {
    Observed c = converged(desired(share("a", 0)));
    Observed o = with(c, m -> {
      m.put("tank/other", ds("tank/other", null, null, 0));
      return m;
    }, c.include(), c.roots());
    Plan p = planner.plan(desired(under("tank/other", "a")), o).plan();
    assertEquals(List.of(new Step.RenameDataset("tank/smb/a", "tank/other/a")), p.shareUnits().get(0).steps());
    assertTrue(kinds(p.afterPublish()).isEmpty(), "nothing retired: the data moved with the share");
  }

  @Test
  void aStorageChangeToAnotherPoolIsRefusedAndCreatesNothing() {
    Observed c = converged(desired(share("a", 0)));
    Observed o = with(c, m -> {
      m.put("pool2", new Dataset("pool2", "filesystem", 0, 1000, 5000, "/pool2", true, null, null));
      return m;
    }, c.include(), c.roots());
    Plan p = planner.plan(desired(under("pool2", "a")), o).plan();
    assertTrue(p.blocked().get("share/a").contains("another pool"), p.blocked().toString());
    assertTrue(p.shareUnits().isEmpty());
    assertTrue(kinds(p.afterPublish()).isEmpty(), "its dataset is neither retired nor destroyed");
  }

  @Test
  void retiredDatasetIsBroughtBackWhenItsShareReturns() {
    Observed o = with(empty(), m -> {
      m.put("tank/smb/a", ds("tank/smb/a", "a", Dataset.RETIRED, 0));
      return m;
    }, null, Map.of(Path.of("/tank/smb/a"), new RootState(true, 0, 900, RootState.SHARE_MODE)));
    Plan p = planner.plan(desired(share("a", 0)), o).plan();
    assertEquals(List.of(new Step.SetDatasetState("tank/smb/a", Dataset.RETIRED, Dataset.ACTIVE)),
        p.shareUnits().get(0).steps());
  }

  @Test
  void unmarkedDatasetBlocksTheShareAndIsNeverTouched() {
    Observed o = with(empty(), m -> {
      m.put("tank/smb/a", ds("tank/smb/a", null, null, 0));
      return m;
    }, null, Map.of());
    Plan p = planner.plan(desired(share("a", 0)), o).plan();
    assertTrue(p.blocked().get("share/a").contains("not marked"));
    assertTrue(p.shareUnits().isEmpty());
    assertTrue(p.afterPublish().isEmpty());
  }

  @Test
  void missingParentBlocksOnlyThatShare() {
    ShareSpec elsewhere = share("b", 0).toBuilder()
        .setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent("gone/smb"))).build();
    Plan p = planner.plan(desired(share("a", 0), elsewhere), empty()).plan();
    assertTrue(p.blocked().get("share/b").contains("gone/smb"));
    assertEquals(List.of("share/a"), p.shareUnits().stream().map(Unit::subject).toList());
  }

  @Test
  void directoryStorageIsCreatedAndPrepared() {
    ShareSpec dir = share("d", 0).toBuilder().setStorage(Storage.newBuilder()
        .setDirectory(DirectoryStorage.newBuilder().setPath("/mnt/pve/cephfs/d"))).build();
    Plan p = planner.plan(desired(dir), empty()).plan();
    assertEquals(List.of(Step.CreateDirectory.class, Step.PrepareRoot.class), kinds(p.shareUnits()));
  }

  private static ShareSpec dirShare(String name, boolean adopt) {
    return share(name, 0).toBuilder().setAdopt(adopt).setStorage(Storage.newBuilder()
        .setDirectory(DirectoryStorage.newBuilder().setPath("/srv/" + name))).build();
  }

  private static Observed withRoot(String path, RootState root) {
    return with(empty(), m -> m, null, Map.of(Path.of(path), root));
  }

  @Test
  void anExistingDirectoryWithFilesIsTakenOverOnlyWhenAdopted() {
    RootState someones = new RootState(true, 1000, 1000, 0755, false, null);
    Plan refused = planner.plan(desired(dirShare("d", false)), withRoot("/srv/d", someones)).plan();
    assertTrue(refused.blocked().get("share/d").contains("adopt: true"), refused.blocked().toString());
    assertTrue(refused.shareUnits().isEmpty(), "no owner or mode changed");
    Plan adopted = planner.plan(desired(dirShare("d", true)), withRoot("/srv/d", someones)).plan();
    assertEquals(List.of(new Step.PrepareRoot(Path.of("/srv/d"), GROUP, someones)), adopted.shareUnits().get(0).steps());
    Plan empty = planner.plan(desired(dirShare("d", false)), withRoot("/srv/d", new RootState(true, 1000, 1000, 0755))).plan();
    assertEquals(List.of(Step.PrepareRoot.class), kinds(empty.shareUnits()), "an empty directory is taken");
  }

  @Test
  void aRootReplacedByALinkStopsOnlyItsShare() {
    Observed o = with(empty(), m -> m, null, Map.of(Path.of("/srv/bad"), RootState.unusable("/srv/bad is a symbolic link")));
    Plan p = planner.plan(desired(dirShare("bad", true), dirShare("good", false)), o).plan();
    assertEquals("/srv/bad is a symbolic link", p.blocked().get("share/bad"));
    assertEquals(List.of("share/good"), p.shareUnits().stream().map(Unit::subject).toList());
    assertTrue(p.publish(), "the good share is published");
  }

  @Test
  void usersAreCreatedAndHashesSetInOneBatch() {
    NodeDesiredState d = NodeDesiredState.newBuilder()
        .addUsers(UserSpec.newBuilder().setName("alice").setNtHash(HASH))
        .addUsers(UserSpec.newBuilder().setName("bob").setNtHash(HASH.toLowerCase())).build();
    Observed o = new Observed(empty().datasets(), Set.of(), null, true, Map.of("bob", HASH),
        Map.of("bob", new UnixAccount("bob", 990, 900, UnixAccount.MANAGED_GECOS)), Map.of(GROUP, 900), Map.of());
    Plan p = planner.plan(d, o).plan();
    assertEquals(List.of("user/alice"), p.userUnits().stream().map(Unit::subject).toList());
    assertEquals(List.of(new Step.SetSambaAccounts.Change("alice", HASH, null)), p.sambaAccounts().orElseThrow().changes());
  }

  @Test
  void aUserWhoseHashTheNodeWasNotToldKeepsItsAccountAsItIs() {
    // The accepted state read back from the node's own file after a restart holds no hashes.
    NodeDesiredState d = NodeDesiredState.newBuilder().addUsers(UserSpec.newBuilder().setName("bob")).build();
    Observed o = new Observed(empty().datasets(), Set.of(), null, true, Map.of("bob", HASH),
        Map.of("bob", new UnixAccount("bob", 990, 900, UnixAccount.MANAGED_GECOS)), Map.of(GROUP, 900), Map.of());
    Plan p = planner.plan(d, o).plan();
    assertFalse(p.sambaAccounts().isPresent(), "passdb keeps bob's hash");
    assertTrue(p.afterPublish().isEmpty(), "bob is not removed");
  }

  @Test
  void existingAccountsNotCreatedBySmbgwAreNeverTakenOver() {
    NodeDesiredState d = NodeDesiredState.newBuilder().addUsers(UserSpec.newBuilder().setName("root").setNtHash(HASH)).build();
    Observed o = new Observed(empty().datasets(), Set.of(), null, true, Map.of(),
        Map.of("root", new UnixAccount("root", 0, 0, "root")), Map.of(GROUP, 900), Map.of());
    Plan p = planner.plan(d, o).plan();
    assertTrue(p.blocked().containsKey("user/root"));
    assertFalse(p.sambaAccounts().isPresent());
  }

  @Test
  void undeclaredManagedUsersAreRemovedAfterUnpublishing() {
    Observed o = new Observed(empty().datasets(), Set.of(), null, true, Map.of("old", HASH),
        Map.of("old", new UnixAccount("old", 991, 900, UnixAccount.MANAGED_GECOS),
            "admin", new UnixAccount("admin", 1000, 1000, "Admin")), Map.of(GROUP, 900), Map.of());
    Plan p = planner.plan(desired(), o).plan();
    assertEquals(List.of(new Step.DeleteSambaAccount("old"), new Step.DeleteUnixUser("old")), p.afterPublish().get(0).steps());
    assertEquals(1, p.afterPublish().size());
  }

  @Test
  void missingGroupAndIncludeLineComeFirst() {
    Observed o = new Observed(empty().datasets(), Set.of(), null, false, Map.of(), Map.of(), Map.of(), Map.of());
    Plan p = planner.plan(desired(share("a", 0)), o).plan();
    assertEquals(List.of(new Step.CreateGroup(GROUP), new Step.AddInclude("include = /x")), p.prerequisites());
  }

  @Test
  void plansAreStableUnderRepeatedRuns() {
    NodeDesiredState d = desired(share("b", 0), share("a", 1 << 20), share("c", 0));
    assertEquals(planner.plan(d, empty()).plan(), planner.plan(d, empty()).plan());
    assertEquals(List.of("share/a", "share/b", "share/c"),
        planner.plan(d, empty()).plan().shareUnits().stream().map(Unit::subject).toList());
  }

  private static Observed dead(Observed o, Set<String> deadMounts, String zfsProblem) {
    return new Observed(o.datasets(), o.missingParents(), o.include(), o.smbConfIncludes(), o.sambaHashes(),
        o.accounts(), o.groups(), o.roots(), o.connections(), deadMounts, zfsProblem);
  }

  @Test
  void deadMountsAreRemountedAsOneTreeParentsFirstAndTheirSharesStayPublished() {
    NodeDesiredState d = desired(share("a", 0), share("b", 0));
    Observed c = converged(d);
    // zfs-fuse came back: the parent's mount and both shares' are dead; nothing under them was looked at.
    Observed o = dead(with(c, m -> m, c.include(), Map.of()), Set.of("tank/smb", "tank/smb/a", "tank/smb/b"), null);
    Planner.Result r = planner.plan(d, o);
    Plan p = r.plan();
    assertEquals(List.of(new Unit("mount/tank/smb", List.of(new Step.Remount(List.of(
        new Step.Remount.Mount("tank/smb/a", "/tank/smb/a"), new Step.Remount.Mount("tank/smb/b", "/tank/smb/b"),
        new Step.Remount.Mount("tank/smb", "/tank/smb")), List.of("a", "b"))))), p.remounts(), "deepest first");
    assertEquals(Map.of("mount/tank/smb", List.of("share/a", "share/b")), p.waiting());
    assertTrue(p.shareUnits().isEmpty(), "no root is prepared behind a mount nobody could look into");
    assertFalse(p.publish(), "their sections stay as they are");
    assertEquals(Set.of(), r.paths().keySet(), "their sections are kept as published, not rendered anew");
    assertEquals(p.remounts().size(), p.size());
  }

  @Test
  void aDeadMountThatIsNeitherSmbgwsNorAboveAShareIsLeftAlone() {
    NodeDesiredState d = desired(share("a", 0));
    Observed c = converged(d);
    Observed o = dead(with(c, m -> {
      m.put("tank/smb/ct", new Dataset("tank/smb/ct", "filesystem", 0, 0, 0, "/tank/smb/ct", true, null, null));
      return m;
    }, c.include(), c.roots()), Set.of("tank/smb/ct"), null);
    assertEquals(0, planner.plan(d, o).plan().size());
  }

  @Test
  void whileZfsDoesNotAnswerItsSharesWaitAndOthersConverge() {
    NodeDesiredState d = desired(share("a", 0), dirShare("d", false));
    Observed o = dead(with(empty(), m -> new HashMap<>(), null, Map.of()), Set.of(), "connect: Connection refused");
    Plan p = planner.plan(d, o).plan();
    assertTrue(p.blocked().get("share/a").contains("connect: Connection refused"), p.blocked().toString());
    assertEquals(List.of("share/d"), p.shareUnits().stream().map(Unit::subject).toList());
    assertTrue(p.afterPublish().isEmpty(), "nothing unseen is retired or purged");
  }
}
