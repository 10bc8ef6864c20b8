package org.smbgw.agent.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Output captured from zfs-fuse 0.7 (see fixtures/zfs-get-fx.txt). */
class ZfsGetParserTest {
  @Test
  void parsesMarksQuotasAndMountpointsFromRealOutput() throws Exception {
    String out = new String(getClass().getResourceAsStream("/fixtures/zfs-get-fx.txt").readAllBytes(), StandardCharsets.UTF_8);
    Map<String, Dataset> ds = ZfsGetParser.parse(out);
    Dataset projects = ds.get("fx/smb/projects");
    assertEquals("projects", projects.share());
    assertEquals("active", projects.state());
    assertEquals(1073741824L, projects.quota());
    assertEquals("/tmp/fxmnt/smb/projects", projects.mountpoint());
    assertTrue(projects.mounted());
    Dataset team = ds.get("fx/smb/Team-Share-1a2b3c4d");
    assertEquals("Team Share", team.share());
    assertTrue(team.retired());
    Dataset handmade = ds.get("fx/smb/handmade");
    assertFalse(handmade.managed());
    assertNull(handmade.state());
    assertEquals("snapshot", ds.get("fx/smb/projects@s1").type());
  }

  /** zfs-fuse 0.7 with the source column: a dataset made by hand inside a share's inherits its mark. */
  @Test
  void aMarkInheritedFromAShareDatasetDoesNotMakeADatasetSmbgws() throws Exception {
    String out = new String(getClass().getResourceAsStream("/fixtures/zfs-get-inherited.txt").readAllBytes(),
        StandardCharsets.UTF_8);
    Map<String, Dataset> ds = ZfsGetParser.parse(out);
    assertEquals("outer", ds.get("fx2/smb/outer").share());
    assertEquals("active", ds.get("fx2/smb/outer").state());
    assertFalse(ds.get("fx2/smb/outer/someones").managed(), "its mark is inherited, not its own");
    assertNull(ds.get("fx2/smb/outer/someones").state());
  }
}
