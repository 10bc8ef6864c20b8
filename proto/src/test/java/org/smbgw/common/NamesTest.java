package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {
  private static List<Violation> share(String name) {
    List<Violation> out = new ArrayList<>();
    Names.shareName("spec.name", name, out);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"projects", "Team Share", "a", "data-2024_v1.x", "hidden$", "root preexec", "Ünïcode",
      "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"})
  void acceptsOrdinaryShareNames(String name) {
    assertEquals(List.of(), share(name));
  }

  @ParameterizedTest
  @ValueSource(strings = {"a]b", "[global]", "x\n[evil]\npath = /", "a\rb", "tab\there", "nul\0",
      "include = /etc/passwd", "a/b", "a\\b", "a%U", "a<b", "a>b", "a*b", "a?b",
      "a|b", "a+b", "a;b", "a:b", "a\"b", "a,b", "a[b", " lead", "trail ", "global", "GLOBAL",
      "homes", "printers", "IPC$", "admin$", "",
      "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijk",
      "line\u2028sep"})
  void rejectsHostileAndReservedShareNamesNamingTheField(String name) {
    List<Violation> v = share(name);
    assertTrue(!v.isEmpty(), "accepted " + name);
    assertTrue(v.stream().allMatch(x -> x.field().equals("spec.name") && !x.rule().isBlank()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"ok\nroot preexec = /bin/sh -c id", "ok\n[global]", "costs 100%",
      "%$(HOME)", "ends with \\", "bell\u0007", "line\u2029break"})
  void rejectsCommentsThatCouldChangeSmbConf(String comment) {
    List<Violation> out = new ArrayList<>();
    Text.comment("spec.comment", comment, out);
    assertTrue(!out.isEmpty(), comment);
    assertEquals("spec.comment", out.get(0).field());
  }

  @ParameterizedTest
  @ValueSource(strings = {"root preexec", "Alice", "a b", "-x", "x:y", "1abc", "", "a\nb",
      "abcdefghijabcdefghijabcdefghijabc"})
  void rejectsBadUserNames(String name) {
    List<Violation> out = new ArrayList<>();
    Names.userName("spec.write.users[0]", name, out);
    assertEquals(1, out.size());
    assertEquals("spec.write.users[0]", out.get(0).field());
  }

  @ParameterizedTest
  @ValueSource(strings = {"alice", "_svc", "bob-2", "x_y"})
  void acceptsUserNames(String name) {
    List<Violation> out = new ArrayList<>();
    Names.userName("u", name, out);
    Names.groupName("g", name, out);
    assertEquals(List.of(), out);
  }

  /**
   * Names where folding undoes normalization (found by ShareNameFoldingProperties in CI: an iota
   * before a combining mark); each is its own key, and a case twin has the same one.
   */
  @org.junit.jupiter.api.Test
  void aKeyIsItsOwnKeyWhereFoldingUndoesNormalization() {
    for (String name : java.util.List.of("\u0399\u0483", "\u03b9\u0483x", "\u0131\u0307", "a\u0345\u0483")) {
      String key = Names.uniquenessKey(name);
      org.junit.jupiter.api.Assertions.assertEquals(key, Names.uniquenessKey(key), name);
      org.junit.jupiter.api.Assertions.assertEquals(key, Names.uniquenessKey(name.toUpperCase(java.util.Locale.ROOT)),
          name);
    }
    org.junit.jupiter.api.Assertions.assertEquals(Names.uniquenessKey("I"), Names.uniquenessKey("\u0131\u0307"),
        "a dotless i with a dot above is an i");
  }
}
