package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/**
 * The last line of defence, with validation bypassed: when the real testparm reads a section's
 * path, comment or access list differently from what was rendered, the publish fails naming the
 * share and the parameter, and the include file stays as it was.
 */
class TestparmMisreadFailsThePublishTest {
  private static ShareSpec.Builder spec(String name) {
    return ShareSpec.newBuilder().setName(name).setRead(Access.newBuilder().addGroups("staff"));
  }

  /** What install threw for these shares: the include (holding "# before") must stay as it was. */
  private static CommandFailedException refused(Path dir, List<PublishedShare> shares) throws Exception {
    Path include = dir.resolve("shares.conf");
    Files.writeString(include, "# before\n");
    AgentMetrics metrics = new AgentMetrics(new MetricRegistry());
    try (CommandRunner runner = new CommandRunner(metrics, TestTimeouts.seconds(30))) {
      SambaConfig samba = new SambaConfig(runner, metrics, dir.resolve("smb.conf"), include, SambaTools.defaults());
      String content = new IncludeRenderer("smbgw").render(shares);
      Set<String> sections = new java.util.HashSet<>();
      shares.forEach(x -> sections.add(x.spec().getName()));
      CommandFailedException e = assertThrows(CommandFailedException.class, () -> samba.install(content, sections));
      assertArrayEquals("# before\n".getBytes(), Files.readAllBytes(include), "include changed");
      return e;
    }
  }

  private static String installFails(Path dir, ShareSpec spec, String path) throws Exception {
    return refused(dir, List.of(new PublishedShare(spec, path, true))).getMessage();
  }


  @Test
  void aCommentEndingInBackslashSpaceThatSwallowsTheNextLineFailsNamingTheComment(@TempDir Path dir) throws Exception {
    String m = installFails(dir, spec("docs").setComment("x\\ ").build(), "/srv/docs");
    assertTrue(m.contains("share 'docs': testparm reads comment as 'x\\tbrowseable = yes'"), m);
  }

  @Test
  void aPathWithDoubleSpacesFailsNamingThePath(@TempDir Path dir) throws Exception {
    String m = installFails(dir, spec("docs").build(), "/srv/a  b");
    assertTrue(m.contains("share 'docs': testparm reads path as '/srv/a b' but smbgw rendered '/srv/a  b'"), m);
  }

  @Test
  void aPathWithATrailingSpaceFailsNamingThePath(@TempDir Path dir) throws Exception {
    String m = installFails(dir, spec("docs").build(), "/srv/docs ");
    assertTrue(m.contains("share 'docs': testparm reads path as '/srv/docs'"), m);
  }

  @Test
  void anAccessListWithAStraySeparatorFailsNamingTheList(@TempDir Path dir) throws Exception {
    String m = installFails(dir, spec("docs").setWrite(Access.newBuilder().addUsers("alice,bob")).build(), "/srv/docs");
    assertTrue(m.contains("share 'docs': testparm reads valid users as '@staff alice bob'"), m);
  }

  @Test
  void aNameWithDoubleSpacesFailsAsAMissingSection(@TempDir Path dir) throws Exception {
    String m = installFails(dir, spec("a  b").build(), "/srv/docs");
    assertTrue(m.contains("unexpected [a b], missing [a  b]"), m);
  }

  @Test
  void aMisreadIsPutOnTheShareItBelongsToSoThatTheOthersCanBePublished(@TempDir Path dir) throws Exception {
    CommandFailedException thrown = refused(dir, List.of(new PublishedShare(spec("good").build(), "/srv/good", true),
        new PublishedShare(spec("bad").build(), "/srv/a  b", true)));
    SambaConfig.SectionsMisread e = assertInstanceOf(SambaConfig.SectionsMisread.class, thrown);
    assertEquals(Set.of("bad"), e.byShare().keySet(), e.getMessage());
    assertTrue(e.byShare().get("bad").contains("reads path as '/srv/a b'"), e.byShare().toString());
  }
}
