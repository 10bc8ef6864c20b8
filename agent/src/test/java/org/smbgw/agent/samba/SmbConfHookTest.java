package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Where the hook goes: smbgw's globals before every administrator global line, its shares after all of them. */
class SmbConfHookTest {
  private static final String G = "include = /etc/samba/smbgw-shares.global.conf";
  private static final String S = "include = /etc/samba/smbgw-shares.conf";
  private static final String GM = SmbConfHook.GLOBALS_MARK;
  private static final String SM = SmbConfHook.SHARES_MARK;
  private final SmbConfHook hook = new SmbConfHook(G, S);

  private static List<String> lines(String text) {
    return List.of(text.split("\n", -1));
  }

  @Test
  void globalsGoFirstInTheFirstGlobalSectionAndSharesLast() {
    List<String> admin = lines("# admin\n[global]\n   server min protocol = SMB3\n[homes]\n   browseable = no\n[ Global ]\n   workgroup = X");
    List<String> want = lines("# admin\n[global]\n" + GM + "\n" + G + "\n   server min protocol = SMB3\n[homes]\n"
        + "   browseable = no\n[ Global ]\n   workgroup = X\n" + SM + "\n" + S);
    assertEquals(want, hook.hooked(admin));
    assertTrue(hook.inPlace(want));
    assertEquals(new SmbConfHook.Place(4, 11), hook.place(want));
    assertEquals(admin, hook.unhooked(want), "unhooking gives back exactly the administrator's lines");
  }

  @Test
  void anAppendedHookOfAnEarlierVersionIsNotInPlaceAndMoves() {
    // What earlier agents wrote: the share include (with its [global] lines) appended at the end.
    List<String> old = lines("[global]\n   server min protocol = SMB3\n" + SM + "\n" + S);
    assertFalse(hook.inPlace(old), "smbgw's globals after the administrator's would override them");
    assertEquals(lines("[global]\n" + GM + "\n" + G + "\n   server min protocol = SMB3\n" + SM + "\n" + S), hook.hooked(old));
  }

  @Test
  void withoutAGlobalSectionTheGlobalsGoAtTheTopWhereLinesAreGlobal() {
    assertEquals(lines(GM + "\n" + G + "\n[data]\n   path = /srv\n" + SM + "\n" + S),
        hook.hooked(lines("[data]\n   path = /srv")));
    assertEquals(List.of(GM, G, SM, S), hook.hooked(List.of()));
  }

  @Test
  void anAdministratorsSectionAfterTheShareIncludeMovesItBackToTheEnd() {
    List<String> hooked = hook.hooked(lines("[global]\n   workgroup = X"));
    List<String> edited = new java.util.ArrayList<>(hooked);
    edited.addAll(List.of("[global]", "   hosts allow = 10.0.0.0/8"));
    assertFalse(hook.inPlace(edited), "a later [global] would not reach smbgw's shares");
    assertEquals(S, hook.hooked(edited).get(hook.hooked(edited).size() - 1));
  }

  @Test
  void aLastLineContinuedWithABackslashCannotSwallowTheMark() {
    List<String> h = hook.hooked(lines("[global]\n   comment = x \\"));
    assertEquals(List.of("   comment = x \\", "", SM, S), h.subList(h.size() - 4, h.size()));
    assertTrue(hook.inPlace(h), "hooking twice changes nothing");
  }
}
