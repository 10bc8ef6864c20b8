package org.smbgw.common;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Strict, typed reads of one mapping of a YAML configuration file, for every daemon and tool.
 * An unknown key, a value of the wrong type or out of range is a {@link Violation} naming the key
 * (with its section, {@code samba.profiling}); a missing key reads as null so that the caller
 * fills in its default. Read as plain values ({@link Trees}): binding machinery would stay in a
 * daemon's memory for one small file.
 */
public final class Settings {
  /** A key written twice is an error, not "the last one wins". */
  private static final JSON YAML = Trees.PEOPLES_YAML;
  private final String prefix;
  /** This mapping's values; null where the file has no such mapping. */
  private final Map<String, Object> node;
  private final List<Violation> out;

  private Settings(String prefix, Object value, List<Violation> out, String... known) {
    this.prefix = prefix;
    this.node = value instanceof Map<?, ?> ? Trees.map(value) : null;
    this.out = out;
    if (node != null) {
      Set<String> names = Set.of(known);
      node.keySet().forEach(n -> {
        if (!names.contains(n)) {
          out.add(new Violation(prefix + n, "unknown setting (known: " + String.join(", ", known) + ")"));
        }
      });
    } else if (value != null) {
      out.add(new Violation(prefix.isEmpty() ? "file" : prefix.substring(0, prefix.length() - 1), "must be a mapping"));
    }
  }

  /** The top level of {@code file}, with the keys it may have; violations go to {@code out}. */
  public static Settings read(Path file, List<Violation> out, String... known) throws IOException {
    Object root;
    try {
      List<Object> docs = Trees.documents(YAML, Files.readString(file));
      root = docs.isEmpty() ? null : docs.get(0);
    } catch (com.fasterxml.jackson.core.JacksonException e) {
      out.add(new Violation("file", "is not valid YAML: " + e.getOriginalMessage()));
      root = null;
    }
    return new Settings("", root, out, known);
  }

  /** Reads a configuration file and returns its warnings (settings that are valid but need attention). */
  public interface Loader {
    List<String> warnings(Path file) throws IOException;
  }

  /**
   * What {@code check-config} does for every daemon: prints each problem naming its key and
   * returns {@link ExitCodes#INVALID}, or prints the warnings and "ok" and returns {@link ExitCodes#OK}.
   */
  public static int check(String program, Path file, Loader loader, java.io.PrintStream out, java.io.PrintStream err) {
    if (!Files.isRegularFile(file)) {
      err.println(program + ": " + file + ": no such file");
      return ExitCodes.INVALID;
    }
    try {
      loader.warnings(file).forEach(w -> err.println(program + ": warning: " + file + ": " + w));
      out.println(file + ": ok");
      return ExitCodes.OK;
    } catch (InvalidSpecException e) {
      e.violations().forEach(v -> err.println(program + ": " + v));
      return ExitCodes.INVALID;
    } catch (IOException e) {
      err.println(program + ": " + file + ": " + e.getMessage());
      return ExitCodes.INVALID;
    }
  }

  /** Whether this mapping is in the file at all. */
  public boolean present() {
    return node != null;
  }

  public Settings section(String name, String... known) {
    return new Settings(prefix + name + ".", Trees.get(node, name), out, known);
  }

  public String text(String name) {
    Object v = Trees.get(node, name);
    if (v == null) {
      return null;
    }
    if (!Trees.isScalar(v)) {
      out.add(new Violation(prefix + name, "must be text"));
      return null;
    }
    return v.toString();
  }

  public Path path(String name) {
    String t = text(name);
    return t == null ? null : Path.of(t);
  }

  public Boolean bool(String name) {
    Object v = Trees.get(node, name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Boolean b)) {
      out.add(new Violation(prefix + name, "must be true or false"));
      return null;
    }
    return b;
  }

  public Integer integer(String name) {
    Object v = Trees.get(node, name);
    if (v == null) {
      return null;
    }
    if (!(v instanceof Integer i)) { // a Long or BigInteger is a whole number beyond an int
      out.add(new Violation(prefix + name, "must be a whole number (got " + Text.quote(Trees.text(v, "")) + ")"));
      return null;
    }
    return i;
  }

  /** A whole number in {@code [min, max]}; {@code why} ends the rule ("the kernel counts ..."). */
  public Integer integer(String name, int min, int max, String why) {
    Integer v = integer(name);
    if (v != null && (v < min || v > max)) {
      out.add(new Violation(prefix + name, "must be " + min + " to " + max + (why.isEmpty() ? "" : " (" + why + ")")
          + " (got " + v + ")"));
      return null;
    }
    return v;
  }

  public List<String> texts(String name) {
    Object v = Trees.get(node, name);
    if (v == null) {
      return null;
    }
    List<String> items = new ArrayList<>();
    if (!(v instanceof List<?>)) {
      out.add(new Violation(prefix + name, "must be a list"));
      return items;
    }
    Trees.list(v).forEach(e -> {
      if (e == null || Trees.isScalar(e)) {
        items.add(e == null ? "null" : e.toString());
      } else {
        out.add(new Violation(prefix + name, "must be a list of text items"));
      }
    });
    return items;
  }

  public List<Path> paths(String name) {
    List<String> t = texts(name);
    return t == null ? null : t.stream().map(Path::of).toList();
  }

  /** A host:port; {@code listen} allows port 0 (any free port). */
  public HostPort hostPort(String name, boolean listen) {
    String t = text(name);
    return t == null ? null : HostPort.parse(prefix + name, t, listen, out);
  }
}
