package org.smbgw.common;

import java.text.Normalizer;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Rules for share, user and group names. Each check appends what it finds to {@code out}. */
public final class Names {
  public static final int SHARE_NAME_MAX = 80;
  /** Characters Windows and Samba give a meaning to in share names or smb.conf section headers. */
  static final String SHARE_NAME_FORBIDDEN = "%<>*?|/\\+=;:\",[]";
  static final Set<String> RESERVED_SHARE_NAMES =
      Set.of("global", "homes", "printers", "print$", "ipc$", "admin$");
  /** Debian's useradd NAME_REGEX, restricted to 32 characters and no trailing '$'. */
  private static final Pattern ACCOUNT = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");
  /** A host name label as Proxmox names its nodes (RFC 1123, dots allowed for FQDN-style names). */
  private static final Pattern NODE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9.-]{0,62}");

  private Names() {}

  public static void shareName(String field, String name, List<Violation> out) {
    if (name == null || name.isEmpty()) {
      out.add(new Violation(field, "a share name is required"));
      return;
    }
    if (name.codePointCount(0, name.length()) > SHARE_NAME_MAX) {
      out.add(new Violation(field, "must be at most " + SHARE_NAME_MAX + " characters"));
    }
    if (Text.firstControl(name) >= 0) {
      out.add(new Violation(field, "must not contain control characters or line breaks"));
    }
    for (char c : name.toCharArray()) {
      if (SHARE_NAME_FORBIDDEN.indexOf(c) >= 0) {
        out.add(new Violation(field,
            "must not contain any of " + SHARE_NAME_FORBIDDEN + " (found '" + c + "')"));
        break;
      }
    }
    Text.spacing(field, name, out);
    int invisible = name.codePoints().filter(c -> Character.getType(c) == Character.FORMAT).findFirst().orElse(-1);
    if (invisible >= 0) {
      // Zero-width and direction marks make two names that look the same differ.
      out.add(new Violation(field, "must not contain invisible formatting characters (found "
          + String.format("U+%04X", invisible) + ")"));
    }
    String key = uniquenessKey(name);
    RESERVED_SHARE_NAMES.stream().filter(r -> uniquenessKey(r).equals(key)).findFirst().ifPresent(r ->
        out.add(new Violation(field, Text.quote(name) + " is reserved by Samba (it is '" + r + "' ignoring case)")));
  }

  /** A node's name: what its agent says in its hello and what placements and leases are keyed by. */
  public static void nodeName(String field, String name, List<Violation> out) {
    if (name == null || !NODE.matcher(name).matches()) {
      out.add(new Violation(field, "a node name is 1 to 63 letters, digits, '.' and '-', starting with a "
          + "letter or digit (got " + Text.quote(name) + ")"));
    }
  }

  public static boolean isNodeName(String name) {
    return name != null && NODE.matcher(name).matches();
  }

  public static void userName(String field, String name, List<Violation> out) {
    account(field, name, "user", out);
  }

  public static void groupName(String field, String name, List<Violation> out) {
    account(field, name, "group", out);
  }

  private static void account(String field, String name, String what, List<Violation> out) {
    if (name == null || !ACCOUNT.matcher(name).matches()) {
      out.add(new Violation(field, "a " + what + " name is 1 to 32 characters of a-z, 0-9, '_' "
          + "and '-', starting with a letter or '_' (got " + Text.quote(name) + ")"));
    }
  }

  /**
   * The key under which share names must be unique. Samba and Windows clients compare share names
   * ignoring case with their own tables, which Java cannot read; this key is coarser than any of
   * them: two names get the same key when they are canonically equivalent (NFC) and, code point by
   * code point, linked by any of Java's upper, lower or title case mappings in either direction
   * (so 'k', 'K' and the Kelvin sign, or 's', 'S' and the long s, are one letter).
   */
  public static String uniquenessKey(String shareName) {
    // Folding can undo normalization: iota's class is represented by a combining mark (U+0345),
    // which then stands out of canonical order before another mark, and a dotless i folds to 'I',
    // which a following dot above then composes with. So both are applied until neither changes
    // anything: a key is its own key. (Each round composes or reorders; two or three suffice.)
    String key = shareName;
    for (int round = 0; round < 8; round++) {
      String next = CaseFold.key(Normalizer.normalize(key, Normalizer.Form.NFC));
      if (next.equals(key)) {
        return key;
      }
      key = next;
    }
    return key;
  }
}
