package org.smbgw.agent.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.samba.NtAcl;
import org.smbgw.agent.samba.NtAcl.Ace;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/** The root ACL decision as a table: what the lists give, and that an administrator's entries stay. */
class RootAclTest {
  private static final Map<String, UnixAccount> ACCOUNTS = Map.of(
      "alice", new UnixAccount("alice", 1001, 900, ""), "bob", new UnixAccount("bob", 1002, 900, ""),
      "carol", new UnixAccount("carol", 1003, 900, ""));
  private static final Map<String, Integer> GROUPS = Map.of("staff", 50);
  private static final Ace ALICE_FULL = new Ace(0, 3, Ace.FULL, "S-1-22-1-1001");
  private static final Ace BOB_READ = new Ace(0, 3, Ace.READ, "S-1-22-1-1002");
  private static final Ace CAROL_READ = new Ace(0, 3, Ace.READ, "S-1-22-1-1003");
  private static final Ace STAFF_READ = new Ace(0, 3, Ace.READ, "S-1-22-2-50");
  /** An administrator's entries: a deny, and an allow for a user smbgw also lists. */
  private static final Ace ADMIN_DENY = new Ace(1, 3, Ace.READ, "S-1-5-21-1-2-3-1002");
  private static final Ace ADMIN_BOB = new Ace(0, 0, Ace.FULL, "S-1-22-1-1002");

  private static List<Ace> wanted(ShareSpec s) {
    return RootAcl.aces(RootAcl.grants(s), ACCOUNTS, GROUPS);
  }

  private static NtAcl stored(Ace... aces) {
    return new NtAcl(true, RootAcl.ROOT_SID, "S-1-22-2-900", NtAcl.PROTECTED, List.of(aces));
  }

  @Test
  void readersReadWritersAndAdminsHaveFullControlTheStrongestRightWins() {
    ShareSpec s = ShareSpec.newBuilder().setRead(Access.newBuilder().addUsers("bob").addUsers("alice").addGroups("staff"))
        .setWrite(Access.newBuilder().addUsers("alice")).setAdmin(Access.newBuilder().addUsers("nobody")).build();
    assertEquals(List.of(BOB_READ, ALICE_FULL, STAFF_READ), wanted(s), "a name without an account is left out");
  }

  @Test
  void aReadOnlyShareGivesEveryoneRead() {
    ShareSpec s = ShareSpec.newBuilder().setReadOnly(true).setWrite(Access.newBuilder().addUsers("alice"))
        .setAdmin(Access.newBuilder().addGroups("staff")).build();
    assertEquals(List.of(new Ace(0, 3, Ace.READ, "S-1-22-1-1001"), STAFF_READ), wanted(s));
  }

  @Test
  void aRootWithoutAnAclGetsTheListsOnly() {
    NtAcl none = new NtAcl(false, "S-1-22-1-0", "S-1-22-2-900", 0, List.of(new Ace(0, 0, Ace.FULL, "S-1-22-2-900")));
    assertEquals(Optional.of(stored(ALICE_FULL, BOB_READ)), RootAcl.next(none, null, List.of(ALICE_FULL, BOB_READ), 900));
  }

  @Test
  void aListChangeTouchesOnlyWhatSmbgwMade() {
    NtAcl now = stored(ADMIN_DENY, ALICE_FULL, BOB_READ, ADMIN_BOB);
    // bob leaves the lists, carol joins: smbgw's entry for bob goes, the administrator's stays.
    assertEquals(Optional.of(stored(ADMIN_DENY, ALICE_FULL, ADMIN_BOB, CAROL_READ)),
        RootAcl.next(now, List.of(ALICE_FULL, BOB_READ), List.of(ALICE_FULL, CAROL_READ), 900));
  }

  @Test
  void nothingChangedChangesNothing() {
    NtAcl now = stored(ADMIN_DENY, ALICE_FULL, BOB_READ);
    assertEquals(Optional.empty(), RootAcl.next(now, List.of(ALICE_FULL, BOB_READ), List.of(ALICE_FULL, BOB_READ), 900));
  }

  @Test
  void anEntryAnAdministratorRemovedStaysRemovedWhileTheListsStay() {
    NtAcl now = stored(ALICE_FULL);
    assertEquals(Optional.empty(), RootAcl.next(now, List.of(ALICE_FULL, BOB_READ), List.of(ALICE_FULL, BOB_READ), 900));
  }

  @Test
  void forgottenEntriesAreNotAddedTwice() {
    NtAcl now = stored(ALICE_FULL, BOB_READ);
    assertEquals(Optional.empty(), RootAcl.next(now, null, List.of(ALICE_FULL, BOB_READ), 900));
  }

  @Test
  void aChangeNamesTheInheritableEntriesAddedAndRemoved() {
    RootAcl.Change c = RootAcl.change(stored(ADMIN_BOB, ALICE_FULL, BOB_READ), stored(ADMIN_BOB, ALICE_FULL, CAROL_READ));
    assertEquals(List.of(CAROL_READ), c.added());
    assertEquals(List.of(BOB_READ), c.removed());
  }
}
