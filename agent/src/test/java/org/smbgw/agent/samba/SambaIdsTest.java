package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading what net and pdbedit print (Samba 4.17's wording). */
class SambaIdsTest {
  @Test
  void theMachinesSidsWithAndWithoutADomainSid() {
    assertEquals(new SambaIds.Machine("S-1-5-21-1-2-3", "S-1-5-21-1-2-3"), SambaIds.parseMachine(
        "SID for local machine VM is: S-1-5-21-1-2-3\nSID for domain WORKGROUP is: S-1-5-21-1-2-3\n"));
    assertEquals(new SambaIds.Machine("S-1-5-21-1-2-3", null),
        SambaIds.parseMachine("SID for local machine VM is: S-1-5-21-1-2-3\n"));
  }

  @Test
  void eachAccountsSidFromTheVerboseListing() {
    String listing = "Unix username:        ann\nNT username:          \nAccount Flags:        [UX         ]\n"
        + "User SID:             S-1-5-21-1-2-3-1000\nPrimary Group SID:    S-1-5-21-1-2-3-513\n---------------\n"
        + "Unix username:        bob\nUser SID:             S-1-5-21-1-2-3-1001\n";
    assertEquals(Map.of("ann", "S-1-5-21-1-2-3-1000", "bob", "S-1-5-21-1-2-3-1001"), SambaIds.parseAccounts(listing));
  }
}
