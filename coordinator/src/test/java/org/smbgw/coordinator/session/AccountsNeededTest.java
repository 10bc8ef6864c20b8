package org.smbgw.coordinator.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/** Which accounts (NT hashes: password equivalents) a node is given, as a table. */
class AccountsNeededTest {
  private static ShareSpec share(Access read, Access write, Access admin) {
    return ShareSpec.newBuilder().setName("s").setRead(read).setWrite(write).setAdmin(admin).build();
  }

  private static Access users(String... names) {
    return Access.newBuilder().addAllUsers(List.of(names)).build();
  }

  @Test
  void aNodeGetsOnlyTheUsersItsSharesName() {
    Access none = Access.getDefaultInstance();
    assertEquals(Optional.of(Set.of()), DesiredStates.accountsNeeded(List.of()), "no shares, no accounts");
    assertEquals(Optional.of(Set.of("alice", "bob", "carol")), DesiredStates.accountsNeeded(List.of(
        share(users("alice"), users("bob"), none), share(none, none, users("carol", "alice")))));
    assertEquals(Optional.empty(), DesiredStates.accountsNeeded(List.of(share(users("alice"), none, none),
        share(Access.newBuilder().addGroups("staff").build(), none, none))),
        "a group admits users only the node knows: every account");
    assertTrue(DesiredStates.accountsNeeded(List.of(share(users("Alice"), none, none))).orElseThrow()
        .contains("alice"), "as Samba compares user names: ignoring case");
  }
}
