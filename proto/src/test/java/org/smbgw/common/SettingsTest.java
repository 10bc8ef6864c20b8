package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings as every daemon reads its configuration file: each problem named by its key. */
class SettingsTest {
  @TempDir
  Path dir;

  private Settings read(String yaml, List<Violation> out, String... known) throws Exception {
    Path file = dir.resolve("c.yaml");
    Files.writeString(file, yaml);
    return Settings.read(file, out, known);
  }

  @Test
  void typedValuesAndSections() throws Exception {
    List<Violation> out = new ArrayList<>();
    Settings s = read("""
        node: pve1
        port: 7400
        debug: true
        roots: [/srv/a, /srv/b]
        samba: {profiling: false}
        """, out, "node", "port", "debug", "roots", "samba", "absent");
    assertEquals("pve1", s.text("node"));
    assertEquals(7400, s.integer("port", 1, 65535, ""));
    assertEquals(Boolean.TRUE, s.bool("debug"));
    assertEquals(List.of(Path.of("/srv/a"), Path.of("/srv/b")), s.paths("roots"));
    assertEquals(Boolean.FALSE, s.section("samba", "profiling").bool("profiling"));
    assertNull(s.text("absent"));
    assertFalse(s.section("absent").present());
    assertEquals(List.of(), out);
  }

  @Test
  void anEmptyFileHasNoSettingsAndNoProblems() throws Exception {
    List<Violation> out = new ArrayList<>();
    Settings s = read("", out, "node");
    assertFalse(s.present());
    assertNull(s.text("node"));
    assertEquals(List.of(), out);
  }

  @Test
  void eachProblemNamesItsKey() throws Exception {
    List<Violation> out = new ArrayList<>();
    Settings s = read("""
        nodes: pve1
        port: 3000000000
        debug: "yes"
        roots: /srv/a
        samba: [profiling]
        name: {a: b}
        """, out, "port", "debug", "roots", "samba", "name");
    assertNull(s.integer("port"));
    assertNull(s.bool("debug"));
    assertEquals(List.of(), s.texts("roots"));
    assertFalse(s.section("samba", "profiling").present());
    assertNull(s.text("name"));
    assertEquals(List.of(
        "nodes: unknown setting (known: port, debug, roots, samba, name)",
        "port: must be a whole number (got '3000000000')",
        "debug: must be true or false",
        "roots: must be a list",
        "samba: must be a mapping",
        "name: must be text"), out.stream().map(Violation::toString).toList());
  }

  @Test
  void aKeyWrittenTwiceIsAnErrorNotTheLastOneWinning() throws Exception {
    List<Violation> out = new ArrayList<>();
    read("port: 1\nport: 2\n", out, "port");
    assertEquals(1, out.size());
    assertTrue(out.get(0).toString().startsWith("file: is not valid YAML: Duplicate field 'port'"), out.toString());
  }

  @Test
  void aFileThatIsNoMappingIsNamed() throws Exception {
    List<Violation> out = new ArrayList<>();
    read("- a\n- b\n", out, "port");
    assertEquals("file: must be a mapping", out.get(0).toString());
  }
}
