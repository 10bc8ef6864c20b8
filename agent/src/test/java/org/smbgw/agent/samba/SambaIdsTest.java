package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;

/** Reading what net and pdbedit print (Samba 4.17's wording), and what one look saw. */
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

  @Test
  void aProgramThatFailsIsToldNotThrownAndAnythingElseIsThrown(@TempDir Path dir) throws Exception {
    Path owed = dir.resolve("restart-owed");
    SambaIds ids = new SambaIds(null, null, dir.resolve("smb.conf"), () -> {}, owed);
    SambaIds.Machine m = new SambaIds.Machine("S-1-5-21-1-2-3", null);

    SambaIds.Seen ok = ids.seen(() -> m, () -> Map.of("ann", "S-1-5-21-1-2-3-1000"));
    assertEquals(new SambaIds.Seen(m, Map.of("ann", "S-1-5-21-1-2-3-1000"), null, false), ok);

    Files.writeString(owed, "");
    CommandFailedException net = new CommandFailedException(Command.of("net", "getdomainsid"), 255, "no secrets", "exit 255");
    SambaIds.Seen failed = ids.seen(() -> {
      throw net;
    }, () -> Map.of("ann", "S-1-5-21-1-2-3-1000"));
    assertNull(failed.machine());
    assertEquals(Map.of(), failed.accounts());
    assertEquals(net.getMessage(), failed.problem());
    assertTrue(failed.restartOwed());

    assertThrows(InterruptedException.class, () -> ids.seen(() -> m, () -> {
      throw new InterruptedException("stopping");
    }));
  }
}
