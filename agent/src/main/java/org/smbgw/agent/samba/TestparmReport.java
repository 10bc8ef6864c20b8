package org.smbgw.agent.samba;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code testparm -s} output. testparm exits 0 even when it ignores unknown parameters and
 * silently merges duplicate sections, so its exit code alone proves nothing: this also checks
 * stderr for complaints and that the sections it loaded are exactly the ones rendered.
 */
public final class TestparmReport {
  private static final List<String> COMPLAINTS = List.of("Unknown parameter", "Ignoring unknown",
      "Error loading", "ERROR", "No path in service", "is flagged unavailable", "Unable to");

  private TestparmReport() {}

  /** Problems found, empty when the file loaded exactly as rendered. */
  public static List<String> problems(String stdout, String stderr, Set<String> expectedSections) {
    List<String> problems = new ArrayList<>();
    for (String line : stderr.split("\n")) {
      if (COMPLAINTS.stream().anyMatch(line::contains)) {
        problems.add(line.strip());
      }
    }
    Set<String> loaded = new TreeSet<>();
    for (String line : stdout.split("\n")) {
      if (line.startsWith("[") && line.endsWith("]") && !line.equals("[global]")) {
        loaded.add(line.substring(1, line.length() - 1));
      }
    }
    Set<String> expected = new TreeSet<>(expectedSections);
    if (!loaded.equals(expected)) {
      Set<String> extra = new TreeSet<>(loaded);
      extra.removeAll(expected);
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(loaded);
      problems.add("sections differ from those rendered: unexpected " + extra + ", missing " + missing);
    }
    return problems;
  }
}
