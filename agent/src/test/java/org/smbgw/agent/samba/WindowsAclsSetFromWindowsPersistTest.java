package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.Port445Namespace;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.common.NtHash;

/**
 * Windows ACLs on ext4 directory storage, set and checked with Samba's own clients: an ACL set
 * with smbcacls on a folder lets a user from the share's read list write there and keeps another
 * listed user from reading there, and that holds after an agent restart, a reconcile and a change
 * of the share's lists (which smbgw carries into the root's ACL without touching the folder's).
 */
class WindowsAclsSetFromWindowsPersistTest {
  private SandboxAgent node;
  private SmbClient client;
  private Port445Namespace ns;
  private String alice;
  private String bob;
  private String carol;
  private String dave;
  private final String pw = "Acl-" + ThreadLocalRandom.current().nextInt(1 << 30);

  @BeforeEach
  void start() throws Exception {
    node = new SandboxAgent().start();
    client = new SmbClient("127.0.0.1", node.port());
    alice = node.user("acla");
    bob = node.user("aclb");
    carol = node.user("aclc");
    dave = node.user("acld");
    ns = new Port445Namespace(node.port());
  }

  @AfterEach
  void stop() throws Exception {
    try (SandboxAgent n = node; SmbClient c = client; Port445Namespace x = ns) {
      // closed in reverse order, each even if another fails
    }
  }

  private void desire(String... readers) throws Exception {
    StringBuilder yaml = new StringBuilder();
    for (String u : List.of(alice, bob, carol, dave)) {
      yaml.append("---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: ").append(u).append("}\nspec: {ntHash: ")
          .append(NtHash.of(pw.toCharArray())).append("}\n");
    }
    yaml.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: team}\nspec:\n  storage: {directory: {path: ")
        .append(node.directoryRoot().resolve("team")).append("}}\n  write: {users: [").append(alice).append("]}\n")
        .append("  read: {users: [").append(String.join(", ", readers)).append("]}\n");
    node.desire(yaml.toString());
    for (int i = 0; i < 3; i++) {
      assertEquals(Map.of(), node.reconcile().outcome().errors());
    }
  }

  private CommandResult as(String user, String commands) throws Exception {
    return Eventually.until(Duration.ofSeconds(10), () -> client.run("team", user, pw, commands),
        r -> !SmbClient.output(r).contains("NT_STATUS_BAD_NETWORK_NAME"));
  }

  private CommandResult smbcacls(String user, String path, String... args) throws Exception {
    List<String> argv = new java.util.ArrayList<>(List.of("smbcacls", "//127.0.0.1/team", path, "-A",
        ns.authFile(user, pw).toString()));
    argv.addAll(List.of(args));
    return ns.run(argv);
  }

  @Test
  void aFoldersAclLetsAReaderWriteAndKeepsAnotherOutThroughRestartReconcileAndListChange() throws Exception {
    desire(bob, carol);
    assertTrue(node.agent().status().getShares(0).getCapabilities().getWindowsAcls(),
        node.agent().status().getShares(0).toString());
    Files.writeString(client.localFile("note.txt"), "hello\n");
    assertEquals(0, as(alice, "mkdir proj; put " + client.localFile("note.txt") + " proj\\note.txt").exitCode());
    // The root's seeded ACL: the reader may not write.
    assertFalse(as(bob, "put " + client.localFile("note.txt") + " bob.txt").succeeded(), "a reader wrote at the root");

    CommandResult set = smbcacls(alice, "proj", "-a", "ACL:" + bob + ":ALLOWED/OI|CI/CHANGE,ACL:" + carol
        + ":DENIED/OI|CI/READ");
    assertEquals(0, set.exitCode(), SmbClient.output(set));

    expectFolderAcl();
    node.stopAgentOnly();
    node.start();
    desire(bob, carol);
    expectFolderAcl();
    assertEquals(0, node.reconcile().plan().size(), "a pass with nothing changed must change no ACL");
    expectFolderAcl();

    desire(bob, carol, dave);
    expectFolderAcl();
    CommandResult daveReads = as(dave, "get proj\\note.txt " + client.localFile("dave.txt"));
    assertTrue(daveReads.succeeded(), "a reader added to the list cannot read: " + SmbClient.output(daveReads));
    CommandResult rootAcl = smbcacls(alice, "", "--numeric");
    assertTrue(SmbClient.output(rootAcl).contains("S-1-22-1-"), SmbClient.output(rootAcl));
  }

  /**
   * A directory that held files before it was shared (adopt: true): what was there follows the
   * lists like what clients create, and a file a program on the host puts there later, without
   * an ACL, is not opened to every listed user by the share group's mode bits.
   */
  @Test
  void adoptedFilesFollowTheListsAndFilesWithoutAnAclStayClosed() throws Exception {
    java.nio.file.Path team = node.directoryRoot().resolve("team");
    Files.createDirectories(team.resolve("old"));
    Files.writeString(team.resolve("old/plan.txt"), "before smbgw\n");
    // As files of the share group are: the mode bits let every listed user in, so what keeps
    // the reader from writing is the ACL.
    groupFile(team.resolve("old"), "rwxrwx---");
    groupFile(team.resolve("old/plan.txt"), "rw-rw----");
    StringBuilder yaml = new StringBuilder();
    for (String u : List.of(alice, bob)) {
      yaml.append("---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: ").append(u).append("}\nspec: {ntHash: ")
          .append(NtHash.of(pw.toCharArray())).append("}\n");
    }
    yaml.append("---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: team}\nspec:\n  storage: {directory: {path: ")
        .append(team).append("}}\n  adopt: true\n  write: {users: [").append(alice).append("]}\n")
        .append("  read: {users: [").append(bob).append("]}\n");
    node.desire(yaml.toString());
    for (int i = 0; i < 3; i++) {
      assertEquals(Map.of(), node.reconcile().outcome().errors());
    }
    CommandResult bobReads = as(bob, "get old\\plan.txt " + client.localFile("plan.txt"));
    assertTrue(bobReads.succeeded(), SmbClient.output(bobReads));
    Files.writeString(client.localFile("mine.txt"), "bob's\n");
    assertFalse(as(bob, "put " + client.localFile("mine.txt") + " old\\plan.txt").succeeded(), "a reader overwrote");
    assertTrue(as(alice, "put " + client.localFile("mine.txt") + " old\\plan.txt").succeeded(), "the writer cannot write");

    Files.writeString(team.resolve("old/dropped.txt"), "put there on the host\n");
    groupFile(team.resolve("old/dropped.txt"), "rw-rw----");
    CommandResult dropped = as(bob, "get old\\dropped.txt " + client.localFile("dropped.txt"));
    assertTrue(SmbClient.output(dropped).contains("NT_STATUS_ACCESS_DENIED"), SmbClient.output(dropped));
  }

  private static void groupFile(java.nio.file.Path p, String mode) throws Exception {
    Files.setAttribute(p, "posix:group", p.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByGroupName(SandboxAgent.GROUP));
    Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString(mode));
  }

  private void expectFolderAcl() throws Exception {
    CommandResult bobWrites = as(bob, "put " + client.localFile("note.txt") + " proj\\from-bob.txt");
    assertTrue(bobWrites.succeeded(), "the folder's ACL lets the reader write: " + SmbClient.output(bobWrites));
    CommandResult carolReads = as(carol, "ls proj\\*");
    assertTrue(SmbClient.output(carolReads).contains("NT_STATUS_ACCESS_DENIED"),
        "the folder's ACL denies this reader: " + SmbClient.output(carolReads));
  }
}
