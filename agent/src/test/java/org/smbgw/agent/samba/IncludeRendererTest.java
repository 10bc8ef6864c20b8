package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

class IncludeRendererTest {
  private final IncludeRenderer renderer = new IncludeRenderer("smbgw");

  private static ShareSpec.Builder spec(String name) {
    return ShareSpec.newBuilder().setName(name).setRead(Access.newBuilder().addGroups("staff"))
        .setWrite(Access.newBuilder().addUsers("alice")).setAdmin(Access.newBuilder().addUsers("boss"));
  }

  @Test
  void readersReadWritersWriteAdminsAdministerAndNobodyIsAGuest() {
    String out = renderer.render(List.of(new PublishedShare(spec("team").setComment("Team files").build(), "/tank/team")));
    assertTrue(out.contains("[team]\n\tpath = /tank/team\n\tcomment = Team files\n"), out);
    assertTrue(out.contains("\tread only = yes\n"));
    assertTrue(out.contains("\tvalid users = @staff alice boss\n"));
    assertTrue(out.contains("\twrite list = alice boss\n"));
    assertTrue(out.contains("\tadmin users = boss\n"));
    assertTrue(out.contains("\tguest ok = no\n"));
    assertTrue(out.contains("\tmap to guest = Never\n"));
    assertTrue(out.contains("\tserver min protocol = SMB2_02\n"));
  }

  @Test
  void readOnlySharesHaveNoWriteList() {
    String out = renderer.render(List.of(new PublishedShare(spec("ro").clearWrite().setReadOnly(true).build(), "/x")));
    assertFalse(out.contains("write list"), out);
  }

  @Test
  void guestMappingIsOnlyTurnedOnWhenAShareAsksForGuests() {
    String out = renderer.render(List.of(new PublishedShare(spec("pub").setGuestOk(true).build(), "/x")));
    assertTrue(out.contains("map to guest = Bad User"));
    assertFalse(out.contains("restrict anonymous"));
  }

  @Test
  void sectionsRoundTripAndOrderIgnoresCase() {
    String out = renderer.render(List.of(new PublishedShare(spec("b").build(), "/b"), new PublishedShare(spec("A").build(), "/a")));
    assertEquals(List.of("A", "b"), List.copyOf(IncludeRenderer.sections(out).keySet()));
    assertEquals(out, renderer.render(List.of(new PublishedShare(spec("b").build(), "/b")),
        Map.of("A", IncludeRenderer.sections(out).get("A"))));
  }

  @Test
  void testparmThatMergedOrIgnoredSomethingIsAProblem() {
    assertEquals(List.of(), TestparmReport.problems("[global]\n[a]\n\tpath = /a\n", "Loaded services file OK.\n", Set.of("a")));
    assertEquals(1, TestparmReport.problems("[a]\n", "Ignoring unknown parameter \"x\"\n", Set.of("a")).size());
    assertEquals(1, TestparmReport.problems("[a]\n", "", Set.of("a", "A2")).size());
  }
}
