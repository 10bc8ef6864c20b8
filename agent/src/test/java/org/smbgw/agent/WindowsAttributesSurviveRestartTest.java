package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.testing.AgentProcess;
import org.smbgw.agent.testing.DesiredYaml;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.agent.testing.ZfsPool;

/**
 * DOS attributes as Windows clients set them (hidden, read-only) are kept, on storage with
 * extended attributes (ext4 directory storage) and without (zfs-fuse, where they live in mode
 * bits): one user's client sets them, the agent is SIGKILLed and started again (rendering the
 * shares as before), another user's client sees them, a write to the read-only file is refused,
 * and it can be cleared again. Each share reports what its storage keeps, found out by trying.
 * The directory share lives under the test's temporary directory: ext4 on the machines this runs on.
 */
class WindowsAttributesSurviveRestartTest {
  private static final String PASSWORD = "Attr1butes-kept";

  @Test
  void hiddenAndReadOnlySetByOneClientAreSeenByAnotherAfterAnAgentRestart() throws Exception {
    // The pool is closed last: the agent and its smbd, which hold its datasets, are gone by then.
    try (ZfsPool pool = new ZfsPool("sga", 256L << 20); AgentProcess node = new AgentProcess("smbgw-attrs-", "attrtest");
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String setter = node.user("ats");
      String viewer = node.user("atv");
      Path status = node.state().resolve("status.json");
      Path dirs = node.directoryRoot();
      String writers = "write: {users: [" + setter + ", " + viewer + "]}";
      String yaml = DesiredYaml.of(List.of(DesiredYaml.user(setter, PASSWORD), DesiredYaml.user(viewer, PASSWORD),
          DesiredYaml.share("onext4", "{directory: {path: " + dirs.resolve("onext4") + "}}", writers),
          DesiredYaml.share("onzfs", "{zfs: {parent: " + pool.name() + "}}", writers)));
      Files.writeString(node.desired(), yaml);
      awaitServing(node, node.start());
      assertEquals(Map.of("onext4", true, "onzfs", false), xattrs(status), Files.readString(status));

      Path file = client.localFile("report.txt");
      Files.writeString(file, "quarterly");
      for (String share : new String[] {"onext4", "onzfs"}) {
        String set = SmbClient.output(client.run(share, setter, PASSWORD, "put " + file + " report.txt; setmode report.txt +hr"));
        assertTrue(!set.contains("NT_STATUS"), share + ": " + set);
      }

      Path include = node.state().resolve("samba/shares.conf");
      String published = Files.readString(include);
      node.kill();
      Files.delete(status);
      awaitServing(node, node.start());
      assertEquals(published, Files.readString(include), "the restarted agent renders the shares as before");

      for (String share : new String[] {"onext4", "onzfs"}) {
        // Where attributes are extended attributes any writer changes them; where they are mode
        // bits, only the file's owner (Samba changes a mode as its owner; smbgw does not let every
        // writer change modes, owners and ACLs).
        String changer = share.equals("onext4") ? viewer : setter;
        String info = SmbClient.output(client.run(share, viewer, PASSWORD, "allinfo report.txt"));
        String attributes = info.lines().filter(l -> l.startsWith("attributes:")).findFirst().orElse(info);
        assertTrue(attributes.matches("attributes: [A-Z]*R[A-Z]*H[A-Z]* \\(.*"), share + ": " + info);
        // Overwriting a hidden file without asking for hidden is refused too (as on Windows): hidden
        // goes first, so that the refusal below is read-only's.
        String shown = SmbClient.output(client.run(share, changer, PASSWORD, "setmode report.txt -h"));
        assertTrue(!shown.contains("NT_STATUS") && !shown.contains("failed"), share + ": " + shown);
        // Read-only is refused to the file's owner everywhere. Samba 4.17 refuses it to other users
        // only where the attribute is an extended attribute: in mode bits it is the owner's write
        // bit, and the others write through the group's (measured here; the README says so too).
        String write = SmbClient.output(client.run(share, setter, PASSWORD, "put " + file + " report.txt"));
        assertTrue(write.contains("NT_STATUS_ACCESS_DENIED"), share + ": a read-only file was overwritten: " + write);
        String cleared = SmbClient.output(client.run(share, changer, PASSWORD,
            "setmode report.txt -r; put " + file + " report.txt"));
        assertTrue(!cleared.contains("NT_STATUS") && !cleared.contains("failed"),
            share + ": " + changer + " cannot clear read-only: " + cleared);
      }
    }
  }

  /** Each share's reported storage features: whether it keeps extended attributes. */
  private static Map<String, Boolean> xattrs(Path status) throws Exception {
    Map<String, Boolean> out = new TreeMap<>();
    for (JsonNode s : new ObjectMapper().readTree(status.toFile()).path("shares")) {
      out.put(s.path("name").asText(), s.path("features").path("xattrs").asBoolean(false));
    }
    return out;
  }

  /** Until the agent reports both shares served (a first pass may still be making the group or accounts). */
  private static void awaitServing(AgentProcess node, Process agent) throws Exception {
    long deadline = System.nanoTime() + TestTimeouts.seconds(60).toNanos();
    while ((node.servedShares().size() < 2 || !node.settled()) && agent.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    Path status = node.state().resolve("status.json");
    assertTrue(node.servedShares().size() == 2, "the shares are not served: " + (Files.exists(status)
        ? Files.readString(status) : "") + "\nthe agent " + (agent.isAlive() ? "runs" : "exited with " + agent.exitValue())
        + ":\n" + Files.readString(node.dir().resolve("agent.log")));
  }

}
