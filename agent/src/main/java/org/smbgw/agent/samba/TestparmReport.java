package org.smbgw.agent.samba;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads {@code testparm -s} output. testparm exits 0 even when it ignores unknown parameters,
 * silently merges duplicate sections, collapses spaces and joins continued lines, so its exit code
 * alone proves nothing: this also checks stderr for complaints, that the sections it loaded are
 * exactly the ones rendered, and that each section's path, comment and access lists read back as
 * rendered.
 */
public final class TestparmReport {
  private static final List<String> COMPLAINTS = List.of("Unknown parameter", "Ignoring unknown",
      "Error loading", "ERROR", "No path in service", "is flagged unavailable", "Unable to");
  /** What a misread would turn into another directory, other words, or other people let in. */
  static final List<String> COMPARED = List.of("path", "comment", "valid users", "invalid users", "read list",
      "write list", "admin users", "hosts allow", "hosts deny", "server smb encrypt");

  private TestparmReport() {}

  /** Problems found, empty when the file loaded exactly as rendered. */
  public static List<String> problems(String stdout, String stderr, Set<String> expectedSections) {
    return problems(stdout, stderr, expectedSections, Map.of());
  }

  /**
   * Problems found, empty when the file loaded exactly as rendered.
   *
   * @param rendered the include file's text; its sections' {@link #COMPARED} parameters, read line
   *     by line as smbgw wrote them, must be what testparm read
   */
  public static List<String> problems(String stdout, String stderr, Set<String> expectedSections, String rendered) {
    return problems(stdout, stderr, expectedSections, parameters(rendered));
  }

  /**
   * What testparm found, and which of it is one share's alone: a section it did not read back, or
   * read back with other parameters than rendered.
   *
   * @param byShare share to what is wrong with it
   * @param onlyShares whether every problem is one share's (no complaint about the file as a whole)
   */
  public record Findings(List<String> problems, Map<String, String> byShare, boolean onlyShares) {}

  public static Findings check(String stdout, String stderr, Set<String> expectedSections, String rendered) {
    List<String> problems = problems(stdout, stderr, expectedSections, parameters(rendered));
    Map<String, String> byShare = new LinkedHashMap<>();
    boolean onlyShares = true;
    Map<String, Map<String, String>> read = parameters(stdout);
    for (String p : problems) {
      if (p.startsWith("share '")) {
        String share = p.substring(7, p.indexOf("': "));
        byShare.merge(share, p, (a, b) -> a + "; " + b);
      } else if (p.startsWith("sections differ") && !read.keySet().stream().anyMatch(x -> !expectedSections.contains(x))) {
        expectedSections.stream().filter(x -> !read.containsKey(x))
            .forEach(x -> byShare.merge(x, "share '" + x + "': testparm did not read its section back", (a, b) -> a));
      } else {
        onlyShares = false;
      }
    }
    return new Findings(problems, byShare, onlyShares && !byShare.isEmpty());
  }

  private static List<String> problems(String stdout, String stderr, Set<String> expectedSections,
      Map<String, Map<String, String>> meant) {
    List<String> problems = new ArrayList<>();
    for (String line : stderr.split("\n")) {
      if (COMPLAINTS.stream().anyMatch(line::contains)) {
        problems.add(line.strip());
      }
    }
    Map<String, Map<String, String>> read = parameters(stdout);
    Set<String> loaded = new TreeSet<>(read.keySet());
    Set<String> expected = new TreeSet<>(expectedSections);
    if (!loaded.equals(expected)) {
      Set<String> extra = new TreeSet<>(loaded);
      extra.removeAll(expected);
      Set<String> missing = new TreeSet<>(expected);
      missing.removeAll(loaded);
      problems.add("sections differ from those rendered: unexpected " + extra + ", missing " + missing);
    }
    meant.forEach((share, params) -> {
      Map<String, String> got = read.get(share);
      if (got == null) {
        return;
      }
      for (String p : COMPARED) {
        if (!Objects.equals(params.get(p), got.get(p))) {
          problems.add("share '" + share + "': testparm reads " + p + " as " + shown(got.get(p))
              + " but smbgw rendered " + shown(params.get(p)));
        }
      }
    });
    return problems;
  }

  /**
   * The share sections of an smb.conf text and their parameters, one per line ({@code name = value}),
   * read literally: no joining, trimming or collapsing. testparm prints what it read that way, and
   * smbgw renders what it means that way.
   */
  static Map<String, Map<String, String>> parameters(String text) {
    Map<String, Map<String, String>> out = new LinkedHashMap<>();
    Map<String, String> current = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("[") && line.endsWith("]")) {
        current = new LinkedHashMap<>();
        out.put(line.substring(1, line.length() - 1), current);
      } else if (current != null) {
        int eq = line.indexOf(" = ");
        if (eq > 0) {
          current.putIfAbsent(line.substring(0, eq).strip(), line.substring(eq + 3));
        }
      }
    }
    out.remove("global");
    return out;
  }

  private static String shown(String value) {
    return value == null ? "nothing" : "'" + value.replace("\t", "\\t") + "'";
  }
}
