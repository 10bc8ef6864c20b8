package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.acl.RootAcl;
import org.smbgw.agent.testing.AgentProcess;
import org.smbgw.agent.testing.DesiredYaml;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.TestTimeouts;

/**
 * Windows ACLs on ext4 directory storage, set and checked with Samba's own clients: the share's
 * lists seed its root's ACL; a writer makes a folder and, as its owner, sets with smbcacls an ACL
 * that lets a user from the read list write there and denies another listed user read; smbclient
 * as each user finds exactly that, after an agent SIGKILL and restart, and after the share's lists
 * change (which changes smbgw's entries on the root and none an administrator set there, and
 * reaches what was made before it: a folder and a file then have the ACLs smbd gives new ones).
 * smbcacls knows no port but 445, so this agent's sandbox smbd listens on 127.0.0.1:445.
 */
class WindowsAclsSurviveRestartTest {
  private static final String PASSWORD = "Acl-pa55word";

  @Test
  void anAclSetFromWindowsToolsIsEnforcedAfterARestartAndAListChange() throws Exception {
    assertFalse(listening(445), "port 445 on 127.0.0.1 is taken: this test's smbd needs it (smbcacls knows no other)");
    try (AgentProcess node = new AgentProcess("smbgw-acls-", "acltest", 445);
        SmbClient client = new SmbClient("127.0.0.1", 445)) {
      dirs = node.directoryRoot();
      String writer = node.user("aw");
      String reader = node.user("ar");
      String denied = node.user("ad");
      String admin = node.user("aa");
      String later = node.user("al");
      Path file = client.localFile("plan.txt");
      Files.writeString(file, "the plan");
      Files.writeString(node.desired(), users(writer, reader, denied, admin, later)
          + share(writer, reader + ", " + denied, admin));
      Process agent = node.start();
      awaitAcls(node, agent);

      // The root: readers read, writers write, as the lists say.
      ok(client.run("docs", writer, PASSWORD, "mkdir proj; put " + file + " proj/plan.txt"), "the writer writes");
      refused(client.run("docs", reader, PASSWORD, "put " + file + " mine.txt"), "a reader cannot write at the root");
      String rootAcl = SmbClient.output(client.cacls("docs", "", admin, PASSWORD));
      // smbcacls names the masks: READ is read and execute (0x001200a9), CHANGE modify and delete (0x001301ff).
      assertTrue(rootAcl.contains("\\" + reader + ":ALLOWED/OI|CI/READ\n"), rootAcl);
      assertTrue(rootAcl.contains("\\" + writer + ":ALLOWED/OI|CI/CHANGE\n"), rootAcl);
      assertTrue(rootAcl.contains("\\" + admin + ":ALLOWED/OI|CI/FULL\n"), rootAcl);
      // An administrator's own entry on the root, which no list change may take away.
      ok(client.cacls("docs", "", admin, PASSWORD, "-a", "ACL:" + denied + ":ALLOWED/OI|CI/0x00000001"),
          "an administrator adds an entry on the root");

      // The folder's owner gives the reader write there and denies the other listed user read.
      ok(client.cacls("docs", "proj", writer, PASSWORD, "-a", "ACL:" + reader + ":ALLOWED/OI|CI/CHANGE"), "grant");
      ok(client.cacls("docs", "proj", writer, PASSWORD, "--propagate-inheritance", "-a",
          "ACL:" + denied + ":DENIED/OI|CI/READ"), "deny");
      enforced(client, reader, denied, file, "as set");
      // A folder and a file that inherit only from the root, made before the lists change.
      ok(client.run("docs", writer, PASSWORD, "mkdir old; put " + file + " old/f.txt"), "the writer makes old/f.txt");
      ok(client.run("docs", admin, PASSWORD, "put " + file + " old/a.txt"), "an administrator (root) makes old/a.txt");
      refused(client.run("docs", later, PASSWORD, "get old/f.txt " + client.localFile("early.txt")),
          "not yet a reader: old/f.txt");

      node.kill();
      agent = node.start();
      awaitAcls(node, agent);
      enforced(client, reader, denied, file, "after the agent was SIGKILLed and started again");

      // The lists change: one more reader. The root gets smbgw's entry for them; the folder's ACL
      // and the administrator's entry on the root stay.
      Files.writeString(node.desired(), users(writer, reader, denied, admin, later)
          + share(writer, reader + ", " + denied + ", " + later, admin));
      long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
      while (!SmbClient.output(client.cacls("docs", "", admin, PASSWORD)).contains("\\" + later + ":ALLOWED")
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      rootAcl = SmbClient.output(client.cacls("docs", "", admin, PASSWORD));
      assertTrue(rootAcl.contains("\\" + later + ":ALLOWED/OI|CI/READ\n"), "the new reader's entry: " + rootAcl);
      assertEquals(2, rootAcl.lines().filter(l -> l.contains("\\" + denied + ":ALLOWED/OI|CI/")).count(),
          "smbgw's entry for " + denied + " and the administrator's: " + rootAcl);
      ok(client.run("docs", later, PASSWORD, "ls"), "the new reader connects and reads the root");
      // The change reaches what was made before it, as Windows passes a folder's change down: old
      // and old/f.txt end up with exactly the ACLs smbd gives a folder and a file made now.
      while (!client.run("docs", later, PASSWORD, "get old/f.txt " + client.localFile("late.txt")).succeeded()
          && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      ok(client.run("docs", later, PASSWORD, "get old/f.txt " + client.localFile("late.txt")),
          "the new reader reads a file made before the change");
      ok(client.run("docs", writer, PASSWORD, "mkdir new; put " + file + " new/f.txt"), "the writer makes new/f.txt");
      ok(client.run("docs", admin, PASSWORD, "put " + file + " new/a.txt"), "an administrator makes new/a.txt");
      assertEquals(SmbClient.output(client.cacls("docs", "new", admin, PASSWORD)),
          SmbClient.output(client.cacls("docs", "old", admin, PASSWORD)), "a folder made before the change");
      assertEquals(SmbClient.output(client.cacls("docs", "new/f.txt", admin, PASSWORD)),
          SmbClient.output(client.cacls("docs", "old/f.txt", admin, PASSWORD)), "a file made before the change");
      assertEquals(SmbClient.output(client.cacls("docs", "new/a.txt", admin, PASSWORD)),
          SmbClient.output(client.cacls("docs", "old/a.txt", admin, PASSWORD)), "root's file made before the change");
      enforced(client, reader, denied, file, "after the share's lists changed");
      // The pass-down is done when a later pass finds nothing left to change (here passes come
      // from changes of the desired state: the same file written again brings one).
      String settled = null;
      while (System.nanoTime() < deadline) {
        Files.writeString(node.desired(), Files.readString(node.desired()));
        Thread.sleep(500);
        settled = new org.smbgw.agent.fs.ShareRoots().aclRecord(dirs.resolve("docs"));
        if (settled != null && !settled.startsWith(RootAcl.PASSING_DOWN)) {
          break;
        }
      }
      assertFalse(settled == null || settled.startsWith(RootAcl.PASSING_DOWN), "the pass-down settles: " + settled);
      String proj = SmbClient.output(client.cacls("docs", "proj", admin, PASSWORD));
      assertTrue(proj.contains("\\" + later + ":ALLOWED/OI|CI|I/READ"),
          "proj inherits the new reader beside its owner's own entries: " + proj);
    }
  }

  /** The reader writes in proj; the denied user can neither list it nor read what is in it. */
  private static void enforced(SmbClient client, String reader, String denied, Path file, String when) throws Exception {
    ok(client.run("docs", reader, PASSWORD, "put " + file + " proj/by-reader.txt"), "the reader writes in proj " + when);
    refused(client.run("docs", denied, PASSWORD, "ls proj/*"), "the denied user lists proj " + when);
    refused(client.run("docs", denied, PASSWORD, "get proj/plan.txt " + client.localFile("got.txt")),
        "the denied user reads proj/plan.txt " + when);
    ok(client.run("docs", denied, PASSWORD, "ls"), "the denied user still reads the root " + when);
  }

  private static void ok(org.smbgw.agent.exec.CommandResult r, String what) {
    String out = SmbClient.output(r);
    assertTrue(r.succeeded() && !out.contains("NT_STATUS"), what + ": " + out);
  }

  private static void refused(org.smbgw.agent.exec.CommandResult r, String what) {
    String out = SmbClient.output(r);
    assertTrue(out.contains("NT_STATUS_ACCESS_DENIED"), "refused expected: " + what + ": " + out);
  }

  private static String users(String... names) {
    StringBuilder b = new StringBuilder();
    for (String u : names) {
      b.append(DesiredYaml.user(u, PASSWORD)).append("---\n");
    }
    return b.toString();
  }

  private String share(String writer, String readers, String admin) {
    return DesiredYaml.share("docs", "{directory: {path: " + dirs.resolve("docs") + "}}",
        "write: {users: [" + writer + "]}", "read: {users: [" + readers + "]}", "admin: {users: [" + admin + "]}");
  }

  private Path dirs;

  /** Until the agent reports the share served with Windows ACLs. */
  private void awaitAcls(AgentProcess node, Process agent) throws Exception {
    Path status = node.state().resolve("status.json");
    long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
    while (!acls(status) && agent.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(acls(status), "the share is not served with Windows ACLs: " + (Files.exists(status)
        ? Files.readString(status) : "") + "\nthe agent " + (agent.isAlive() ? "runs" : "exited with " + agent.exitValue())
        + ":\n" + Files.readString(node.dir().resolve("agent.log")));
  }

  private static boolean acls(Path status) {
    try {
      for (JsonNode s : new ObjectMapper().readTree(status.toFile()).path("shares")) {
        if (s.path("name").asText().equals("docs") && s.path("state").asText().equals("SHARE_STATE_ACTIVE")) {
          return s.path("features").path("acls").asBoolean(false);
        }
      }
    } catch (java.io.IOException e) {
      // not written yet, or being replaced
    }
    return false;
  }

  private static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 500);
      return true;
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
