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
    String out = renderer.render(List.of(new PublishedShare(spec("team").setComment("Team files").build(), "/tank/team", true)));
    assertTrue(out.contains("[team]\n\tpath = /tank/team\n\tcomment = Team files\n"), out);
    assertTrue(out.contains("\tread only = yes\n"));
    assertTrue(out.contains("\tvalid users = @staff alice boss\n"));
    assertTrue(out.contains("\twrite list = alice boss\n"));
    assertTrue(out.contains("\tadmin users = boss\n"));
    assertTrue(out.contains("\tguest ok = no\n"));
    assertTrue(out.contains("\tmap to guest = Never\n"));
    assertTrue(out.contains("\tserver min protocol = SMB2_02\n"));
  }

  /**
   * The first definitions' create mask (0660) stripped the execute bits Samba keeps DOS attributes
   * in where the storage has no extended attributes, and forced the owner's write bit back over a
   * read-only file (smbtorture's lock suite: 3 of 18 passed).
   */
  @Test
  void dosAttributesLiveInExtendedAttributesWhereTheStorageHasThemAndInModeBitsWhereNot() {
    String withXattrs = IncludeRenderer.sections(renderer.render(List.of(new PublishedShare(spec("x").build(), "/x", true)))).get("x");
    String without = IncludeRenderer.sections(renderer.render(List.of(new PublishedShare(spec("z").build(), "/z", false)))).get("z");
    for (String section : List.of(withXattrs, without)) {
      assertTrue(section.contains("\tforce group = smbgw\n\tcreate mask = 0771\n\tforce create mode = 0060\n"
          + "\tdirectory mask = 2770\n\tforce directory mode = 2070\n"), section);
      assertFalse(section.contains("0660"), section);
      assertFalse(section.contains("dos filemode"), "every writer could change modes, owners and ACLs: " + section);
    }
    assertTrue(withXattrs.contains("\tstore dos attributes = yes\n"), withXattrs);
    assertFalse(withXattrs.contains("map hidden"), withXattrs);
    assertTrue(without.contains("\tstore dos attributes = no\n\tmap archive = yes\n\tmap hidden = yes\n"
        + "\tmap system = yes\n\tmap readonly = yes\n"), without);
  }

  @Test
  void readOnlySharesHaveNoWriteList() {
    String out = renderer.render(List.of(new PublishedShare(spec("ro").clearWrite().setReadOnly(true).build(), "/x", true)));
    assertFalse(out.contains("write list"), out);
  }

  @Test
  void guestMappingIsOnlyTurnedOnWhenAShareAsksForGuests() {
    String out = renderer.render(List.of(new PublishedShare(spec("pub").setGuestOk(true).build(), "/x", true)));
    assertTrue(out.contains("map to guest = Bad User"));
    assertFalse(out.contains("restrict anonymous"));
  }

  @Test
  void sectionsRoundTripAndOrderIgnoresCase() {
    String out = renderer.render(List.of(new PublishedShare(spec("b").build(), "/b", true), new PublishedShare(spec("A").build(), "/a", true)));
    assertEquals(List.of("A", "b"), List.copyOf(IncludeRenderer.sections(out).keySet()));
    assertEquals(out, renderer.render(List.of(new PublishedShare(spec("b").build(), "/b", true)),
        Map.of("A", IncludeRenderer.sections(out).get("A"))));
  }

  @Test
  void testparmThatMergedOrIgnoredSomethingIsAProblem() {
    assertEquals(List.of(), TestparmReport.problems("[global]\n[a]\n\tpath = /a\n", "Loaded services file OK.\n", Set.of("a")));
    assertEquals(1, TestparmReport.problems("[a]\n", "Ignoring unknown parameter \"x\"\n", Set.of("a")).size());
    assertEquals(1, TestparmReport.problems("[a]\n", "", Set.of("a", "A2")).size());
  }
}
