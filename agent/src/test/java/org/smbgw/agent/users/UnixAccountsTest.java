package org.smbgw.agent.users;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnixAccountsTest {
  @TempDir
  Path dir;

  /** groupadd writes a new file and renames it over the old one; the next look-up must see it. */
  @Test
  void aGroupAddedSinceTheLastLookUpIsSeen() throws Exception {
    Path group = dir.resolve("group");
    Files.writeString(group, "root:x:0:\nstaff:x:50:\n");
    UnixAccounts accounts = new UnixAccounts(null, dir.resolve("passwd"), group);
    assertEquals(Map.of("root", 0, "staff", 50), accounts.groups());
    Path next = dir.resolve("group+");
    Files.writeString(next, "root:x:0:\nstaff:x:50:\nsmbgw:x:990:\n");
    Files.move(next, group, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertEquals(Map.of("root", 0, "staff", 50, "smbgw", 990), accounts.groups());
  }

  /** An edit in place of the same size that puts the modification time back is seen too. */
  @Test
  void anEditInPlaceOfTheSameSizeIsSeen() throws Exception {
    Path group = dir.resolve("group");
    Files.writeString(group, "staff:x:50:\n");
    UnixAccounts accounts = new UnixAccounts(null, dir.resolve("passwd"), group);
    assertEquals(Map.of("staff", 50), accounts.groups());
    var modified = Files.getLastModifiedTime(group);
    Thread.sleep(20); // the change time counts in the kernel's ticks
    Files.writeString(group, "staff:x:51:\n");
    Files.setLastModifiedTime(group, modified);
    assertEquals(Map.of("staff", 51), accounts.groups());
  }
}
