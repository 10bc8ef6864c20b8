package org.smbgw.agent.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A security descriptor in SDDL, as Samba prints and reads it: owner, group, the DACL's flags and
 * its entries, and whatever SACL text followed (kept as it is). Only what smbgw needs to tell its
 * own entries from others is understood: an entry's type, flags, access mask and SID, compared in
 * one normal form whether Samba printed an alias ("SY", "FA") or a number. An entry in a form not
 * understood (a conditional entry, an unknown alias) stays as written and never equals smbgw's.
 */
public record Sddl(String owner, String group, String daclFlags, List<String> aces, String sacl) {
  public Sddl {
    aces = List.copyOf(aces);
  }

  public String text() {
    return "O:" + owner + "G:" + group + "D:" + daclFlags + String.join("", aces) + (sacl.isEmpty() ? "" : "S:" + sacl);
  }

  /** @throws IllegalArgumentException naming what could not be read */
  public static Sddl parse(String text) {
    String s = text.strip();
    int[] at = {0};
    String owner = s.startsWith("O:", at[0]) ? sid(s, at, 2) : "";
    String group = s.startsWith("G:", at[0]) ? sid(s, at, 2) : "";
    if (!s.startsWith("D:", at[0])) {
      throw new IllegalArgumentException("no DACL in security descriptor '" + text + "'");
    }
    int i = at[0] + 2;
    int flagsStart = i;
    while (i < s.length() && s.charAt(i) != '(' && !s.startsWith("S:", i)) {
      i++;
    }
    String flags = s.substring(flagsStart, i);
    List<String> aces = new ArrayList<>();
    while (i < s.length() && s.charAt(i) == '(') {
      int depth = 0;
      int start = i;
      do {
        char c = s.charAt(i);
        depth += c == '(' ? 1 : c == ')' ? -1 : 0;
        i++;
      } while (depth > 0 && i < s.length());
      if (depth != 0) {
        throw new IllegalArgumentException("unbalanced entry in security descriptor '" + text + "'");
      }
      aces.add(s.substring(start, i));
    }
    String sacl = "";
    if (s.startsWith("S:", i)) {
      sacl = s.substring(i + 2);
    } else if (i != s.length()) {
      throw new IllegalArgumentException("cannot read '" + s.substring(i) + "' in security descriptor '" + text + "'");
    }
    return new Sddl(owner, group, flags, aces, sacl);
  }

  /** An owner or group: a SID string (S-1-...) or a two-letter alias; moves {@code at} past it. */
  private static String sid(String s, int[] at, int skip) {
    int i = at[0] + skip;
    int end = i;
    if (s.startsWith("S-", i)) {
      end = i + 2;
      while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '-')) {
        end++;
      }
    } else {
      end = Math.min(s.length(), i + 2);
    }
    at[0] = end;
    return s.substring(i, end);
  }

  /** An entry's meaning: what two spellings of the same entry share. */
  public record Ace(String type, int flags, int mask, String sid) {
    /** As smbgw writes entries: numbers only. */
    public String text() {
      return "(" + type + ";" + flagText(flags) + ";" + String.format("0x%08x", mask) + ";;;" + sid + ")";
    }

    public boolean inherited() {
      return (flags & INHERITED) != 0;
    }

    public boolean deny() {
      return type.equals("D");
    }
  }

  public static final int OBJECT_INHERIT = 0x1;
  public static final int CONTAINER_INHERIT = 0x2;
  public static final int NO_PROPAGATE = 0x4;
  public static final int INHERIT_ONLY = 0x8;
  public static final int INHERITED = 0x10;

  private static final Map<String, Integer> FLAGS = Map.of("OI", 0x1, "CI", 0x2, "NP", 0x4, "IO", 0x8, "ID", 0x10,
      "SA", 0x40, "FA", 0x80);
  private static final String[] FLAG_ORDER = {"OI", "CI", "NP", "IO", "ID", "SA", "FA"};
  private static final Map<String, Integer> RIGHTS = Map.ofEntries(Map.entry("GA", 0x10000000),
      Map.entry("GR", 0x80000000), Map.entry("GW", 0x40000000), Map.entry("GX", 0x20000000), Map.entry("RC", 0x20000),
      Map.entry("SD", 0x10000), Map.entry("WD", 0x40000), Map.entry("WO", 0x80000), Map.entry("RP", 0x10),
      Map.entry("WP", 0x20), Map.entry("CC", 0x1), Map.entry("DC", 0x2), Map.entry("LC", 0x4), Map.entry("SW", 0x8),
      Map.entry("LO", 0x80), Map.entry("DT", 0x40), Map.entry("CR", 0x100), Map.entry("FA", 0x1f01ff),
      Map.entry("FR", 0x120089), Map.entry("FW", 0x120116), Map.entry("FX", 0x1200a0));
  private static final Map<String, String> ALIASES = Map.ofEntries(Map.entry("SY", "S-1-5-18"),
      Map.entry("CO", "S-1-3-0"), Map.entry("CG", "S-1-3-1"), Map.entry("WD", "S-1-1-0"), Map.entry("AU", "S-1-5-11"),
      Map.entry("AN", "S-1-5-7"), Map.entry("BA", "S-1-5-32-544"), Map.entry("BU", "S-1-5-32-545"),
      Map.entry("BG", "S-1-5-32-546"), Map.entry("PU", "S-1-5-32-547"), Map.entry("BO", "S-1-5-32-551"),
      Map.entry("NU", "S-1-5-2"), Map.entry("IU", "S-1-5-4"), Map.entry("SU", "S-1-5-6"), Map.entry("LS", "S-1-5-19"),
      Map.entry("NS", "S-1-5-20"), Map.entry("OW", "S-1-3-4"));

  static String flagText(int flags) {
    StringBuilder b = new StringBuilder();
    for (String f : FLAG_ORDER) {
      if ((flags & FLAGS.get(f)) != 0) {
        b.append(f);
      }
    }
    return b.toString();
  }

  /** A SID as a number ("SY" is S-1-5-18), or null for an alias smbgw does not know. */
  public static String sidOf(String text) {
    return text.startsWith("S-") ? text : ALIASES.get(text);
  }

  /** Whether the DACL is protected ("P"): it inherits nothing from its folder. */
  public boolean protectedDacl() {
    return daclFlagList().contains("P");
  }

  /** Whether its entries say which were inherited ("AI"): set on everything smbd made inherit. */
  public boolean autoInherited() {
    return daclFlagList().contains("AI");
  }

  /** The same, marked auto-inherited. */
  public Sddl withAutoInherited() {
    return autoInherited() ? this : new Sddl(owner, group, daclFlags + "AI", aces, sacl);
  }

  /** The DACL's flags one by one: "P", "AR", "AI", "NO_ACCESS_CONTROL", or what is not understood. */
  List<String> daclFlagList() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < daclFlags.length(); ) {
      String token = daclFlags.startsWith("NO_ACCESS_CONTROL", i) ? "NO_ACCESS_CONTROL"
          : daclFlags.startsWith("AI", i) || daclFlags.startsWith("AR", i) ? daclFlags.substring(i, i + 2)
          : daclFlags.substring(i, i + 1);
      out.add(token);
      i += token.length();
    }
    return out;
  }

  /** What an entry means, or empty for one in a form smbgw does not read (kept as written). */
  public static Optional<Ace> meaning(String entry) {
    if (!entry.startsWith("(") || !entry.endsWith(")")) {
      return Optional.empty();
    }
    String[] f = entry.substring(1, entry.length() - 1).split(";", -1);
    if (f.length != 6 || !f[3].isEmpty() || !f[4].isEmpty() || !(f[0].equals("A") || f[0].equals("D"))) {
      return Optional.empty();
    }
    Integer flags = letters(f[1], FLAGS);
    Integer mask = f[2].startsWith("0x") || f[2].startsWith("0X") ? hex(f[2].substring(2)) : letters(f[2], RIGHTS);
    String sid = sidOf(f[5]);
    if (flags == null || mask == null || sid == null) {
      return Optional.empty();
    }
    return Optional.of(new Ace(f[0], flags, mask, sid));
  }

  private static Integer hex(String digits) {
    try {
      return (int) Long.parseLong(digits, 16);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** Two-letter codes run together ("OICI", "RPWP"), or null when one is unknown. */
  private static Integer letters(String text, Map<String, Integer> table) {
    if (text.length() % 2 != 0) {
      return null;
    }
    int out = 0;
    for (int i = 0; i < text.length(); i += 2) {
      Integer v = table.get(text.substring(i, i + 2));
      if (v == null) {
        return null;
      }
      out |= v;
    }
    return out;
  }
}
