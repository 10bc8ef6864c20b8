package org.smbgw.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.fs.Capabilities;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.samba.NtAcl;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;

/** How the plan treats a share root's Windows ACL, as a table of observations. */
class WindowsAclPlanTest {
  private static final String GROUP = "smbgw";
  private static final Path ROOT = Path.of("/srv/dirs/team");
  private static final Capabilities EXT4 = new Capabilities(true, true, true);
  private static final NtAcl.Ace ALICE = new NtAcl.Ace(0, 3, NtAcl.Ace.FULL, "S-1-22-1-1001");
  private final IncludeComposer composer = new IncludeComposer(new IncludeRenderer(GROUP));
  private final Planner planner = new Planner(GROUP, "include = /x", composer);
  private final NodeDesiredState desired = NodeDesiredState.newBuilder().addShares(ShareSpec.newBuilder().setName("team")
      .setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(ROOT.toString())))
      .setWrite(Access.newBuilder().addUsers("alice"))).build();

  private static Observed node(Map<Path, RootState> roots, Map<Path, Capabilities> caps, Map<Path, NtAcl> acls,
      Map<String, List<NtAcl.Ace>> seeds, String include) {
    return new Observed(Map.of(), Set.of(), include, true, Map.of(), Map.of("alice", new UnixAccount("alice", 1001, 900,
        UnixAccount.MANAGED_GECOS)), Map.of(GROUP, 900), roots, SmbStatus.Connections.UNKNOWN, caps, acls, seeds, null);
  }

  private static List<Class<?>> kinds(Plan p) {
    return p.shareUnits().stream().flatMap(u -> u.steps().stream()).<Class<?>>map(Object::getClass).toList();
  }

  @Test
  void aNewRootOnStorageWithAttributesIsSeededBeforeItIsPublished() {
    Planner.Result r = planner.plan(desired, node(Map.of(), Map.of(ROOT.getParent(), EXT4), Map.of(), Map.of(), null));
    assertEquals(List.of(Step.CreateDirectory.class, Step.PrepareRoot.class, Step.SetRootAcl.class), kinds(r.plan()));
    assertTrue(r.storage().get("team").windowsAcls());
  }

  @Test
  void aSeededRootUnchangedPlansNothing() {
    Map<Path, RootState> roots = Map.of(ROOT, new RootState(true, 0, 900, RootState.SHARE_MODE));
    NtAcl seeded = new NtAcl(true, RootAcl.ROOT_SID, "S-1-22-2-900", NtAcl.PROTECTED, List.of(ALICE));
    Planner.Result first = planner.plan(desired, node(roots, Map.of(ROOT, EXT4), Map.of(ROOT, seeded),
        Map.of("team", List.of(ALICE)), null));
    String include = composer.compose(desired.getSharesList(), first.paths(), first.storage(), Set.of(), null).content();
    Planner.Result again = planner.plan(desired, node(roots, Map.of(ROOT, EXT4), Map.of(ROOT, seeded),
        Map.of("team", List.of(ALICE)), include));
    assertTrue(again.plan().isEmpty(), again.plan().toString());
    assertTrue(include.contains("acl_xattr"), include);
  }

  @Test
  void aRootWhoseAclCannotBeReadIsServedByTheListsNeverWider() {
    Map<Path, RootState> roots = Map.of(ROOT, new RootState(true, 0, 900, RootState.SHARE_MODE));
    Planner.Result r = planner.plan(desired, node(roots, Map.of(ROOT, EXT4), Map.of(), Map.of(), null));
    assertEquals(List.of(), kinds(r.plan()));
    assertFalse(r.storage().get("team").windowsAcls());
  }

  @Test
  void aGuestShareStaysWithTheLists() {
    NodeDesiredState guests = NodeDesiredState.newBuilder().addShares(desired.getShares(0).toBuilder().setGuestOk(true))
        .build();
    Planner.Result r = planner.plan(guests, node(Map.of(), Map.of(ROOT.getParent(), EXT4), Map.of(), Map.of(), null));
    assertEquals(List.of(Step.CreateDirectory.class, Step.PrepareRoot.class), kinds(r.plan()));
    assertFalse(r.storage().get("team").windowsAcls());
  }
}
