package org.smbgw.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/** The root ACL's entries from a share's lists, and how they go in beside an administrator's. */
class RootAclTest {
  private static final String D = "S-1-5-21-1-2-3-";
  private static final Map<String, String> SIDS = Map.of("ann", D + "1000", "bob", D + "1001", "cy", D + "1002");

  private static RootAcl.Entries entries(ShareSpec s) {
    return RootAcl.entries(s, u -> Optional.ofNullable(SIDS.get(u)),
        g -> g.equals("staff") ? Optional.of("S-1-22-2-50") : Optional.empty());
  }

  private static ShareSpec.Builder share() {
    return ShareSpec.newBuilder().setName("s");
  }

  @Test
  void listsSeedFullControlModifyAndReadInheritedByEverythingInside() {
    RootAcl.Entries e = entries(share().setAdmin(Access.newBuilder().addUsers("cy"))
        .setWrite(Access.newBuilder().addUsers("bob").addGroups("staff")).setRead(Access.newBuilder().addUsers("ann")
            .addUsers("bob").addUsers("ghost").addGroups("nogroup")).build());
    assertEquals(List.of(
        "(A;OICI;0x001f01ff;;;S-1-5-18)",
        "(A;OICI;0x001f01ff;;;S-1-22-1-0)",
        "(A;OICI;0x001f01ff;;;" + D + "1002)",
        "(A;OICI;0x001301ff;;;" + D + "1001)",
        "(A;OICI;0x001301ff;;;S-1-22-2-50)",
        "(A;OICI;0x001200a9;;;" + D + "1000)",
        "(A;OICIIO;0x001f01ff;;;S-1-3-0)"), e.record().lines().toList(), "bob is a writer once, not a reader too");
    assertEquals(List.of("ghost", "@nogroup"), e.unresolved());
  }

  @Test
  void aReadOnlyShareGivesItsWritersReadAndOneWithoutListsLetsEveryoneRead() {
    assertTrue(entries(share().setReadOnly(true).setWrite(Access.newBuilder().addUsers("bob")).build()).record()
        .contains("(A;OICI;0x001200a9;;;" + D + "1001)"));
    assertTrue(entries(share().build()).record().contains("(A;OICI;0x001200a9;;;S-1-1-0)"));
  }

  @Test
  void aRootWithoutAStoredAclGetsSmbgwsEntriesOnlyOwnedByRootAndTheShareGroup() {
    RootAcl.Entries e = entries(share().setRead(Access.newBuilder().addUsers("ann")).build());
    Sddl first = RootAcl.merge(null, "", e, "S-1-22-2-991");
    assertEquals("O:S-1-22-1-0G:S-1-22-2-991D:PAI" + String.join("", e.record().lines().toList()), first.text());
  }

  @Test
  void aListChangeReplacesSmbgwsEntriesAndKeepsTheAdministratorsWhateverSambaPrints() {
    RootAcl.Entries before = entries(share().setRead(Access.newBuilder().addUsers("ann").addUsers("bob")).build());
    // As Samba prints the root after an administrator denied cy and granted bob write on it:
    // aliases for well-known SIDs, masks in its own spelling.
    String printed = "O:S-1-22-1-0G:S-1-22-2-991D:PAI(D;OICI;0x001200a9;;;" + D + "1002)(A;OICI;0x001f01ff;;;SY)"
        + "(A;OICI;0x001f01ff;;;S-1-22-1-0)(A;OICI;0x001200a9;;;" + D + "1000)(A;OICI;0x001200a9;;;" + D + "1001)"
        + "(A;OICIIO;FA;;;CO)(A;;0x001301ff;;;" + D + "1001)";
    RootAcl.Entries after = entries(share().setRead(Access.newBuilder().addUsers("ann")).build());
    Sddl merged = RootAcl.merge(Sddl.parse(printed), before.record(), after, "S-1-22-2-991");
    assertEquals(List.of("(D;OICI;0x001200a9;;;" + D + "1002)", "(A;;0x001301ff;;;" + D + "1001)",
        "(A;OICI;0x001f01ff;;;S-1-5-18)", "(A;OICI;0x001f01ff;;;S-1-22-1-0)", "(A;OICI;0x001200a9;;;" + D + "1000)",
        "(A;OICIIO;0x001f01ff;;;S-1-3-0)"), merged.aces(),
        "bob's read entry was smbgw's and went with him; the administrator's denial and grant stay, denial first");
    assertEquals("S-1-22-1-0", merged.owner());
    assertEquals("PAI", merged.daclFlags());
    assertEquals("PAI", RootAcl.merge(Sddl.parse(printed.replace("D:PAI", "D:P")), before.record(), after,
        "S-1-22-2-991").daclFlags(), "a root whose mark an smbcacls edit dropped is marked auto-inherited again");
  }

  @Test
  void daclFlagsAreReadOneByOne() {
    Sddl sd = Sddl.parse("O:SYG:SYD:PARAI(A;;FA;;;SY)");
    assertTrue(sd.protectedDacl() && sd.autoInherited());
    Sddl plain = Sddl.parse("O:SYG:SYD:AR(A;;FA;;;SY)");
    assertTrue(!plain.protectedDacl() && !plain.autoInherited());
    assertEquals("ARAI", plain.withAutoInherited().daclFlags());
  }

  @Test
  void entriesSmbgwCannotReadAreKeptAsWrittenAndNeverTakenForItsOwn() {
    String printed = "O:BAG:BGD:AI(XA;;FX;;;S-1-1-0;(@User.Title == \"PM\"))(A;ID;0x001200a9;;;S-1-5-11)S:AI(AU;SA;FA;;;WD)";
    Sddl parsed = Sddl.parse(printed);
    assertEquals("BA", parsed.owner());
    assertEquals("BG", parsed.group());
    assertEquals(2, parsed.aces().size());
    assertEquals("AI(AU;SA;FA;;;WD)", parsed.sacl());
    Sddl merged = RootAcl.merge(parsed, "", entries(share().build()), "S-1-22-2-991");
    assertEquals(parsed.aces().get(0), merged.aces().get(0), "a conditional entry stays, first among the grants");
    assertEquals(parsed.aces().get(1), merged.aces().get(merged.aces().size() - 1), "inherited entries go last");
    assertTrue(merged.text().endsWith("S:AI(AU;SA;FA;;;WD)"), "the SACL stays");
  }

  @Test
  void whatIsNotASecurityDescriptorIsRefusedNamingIt() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Sddl.parse("O:SYG:SY"));
    assertTrue(e.getMessage().contains("no DACL"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Sddl.parse("O:SYG:SYD:(A;;FA;;;SY"));
  }
}
