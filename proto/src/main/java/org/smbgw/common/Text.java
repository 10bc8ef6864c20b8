package org.smbgw.common;

import java.util.List;

/** Rules for free text that ends up in smb.conf, and quoting for messages. */
public final class Text {
  public static final int COMMENT_MAX = 256;

  private Text() {}

  /** Index of the first control or line-breaking character, or -1. */
  public static int firstControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
        return i;
      }
    }
    return -1;
  }

  /**
   * A share comment: one line, no '%' (Samba expands %-variables, %$(VAR) even reads the
   * environment), spaced as Samba reads it back and no trailing backslash (smb.conf line
   * continuation).
   */
  public static void comment(String field, String comment, List<Violation> out) {
    if (comment.length() > COMMENT_MAX) {
      out.add(new Violation(field, "must be at most " + COMMENT_MAX + " characters"));
    }
    if (firstControl(comment) >= 0) {
      out.add(new Violation(field, "must be one line without control characters"));
    }
    if (comment.indexOf('%') >= 0) {
      out.add(new Violation(field, "must not contain '%' (Samba would expand it as a variable)"));
    }
    spacing(field, comment, out);
    noContinuation(field, comment, out);
  }

  /**
   * White space as smb.conf's parser keeps it: it trims a value's ends, reads a run of spaces as
   * one, and only the plain space is a space everywhere (a no-break or ideographic space looks like
   * one and is not). A value that breaks this would be read back as something else.
   */
  public static void spacing(String field, String value, List<Violation> out) {
    int odd = value.codePoints().filter(c -> c != ' ' && !Character.isISOControl(c)
        && (Character.isWhitespace(c) || Character.isSpaceChar(c))).findFirst().orElse(-1);
    if (odd >= 0) {
      out.add(new Violation(field, "must not contain white space other than the plain space (found "
          + String.format("U+%04X", odd) + ")"));
    }
    if (value.startsWith(" ") || value.endsWith(" ")) {
      out.add(new Violation(field, "must not start or end with a space (Samba trims it)"));
    }
    if (value.contains("  ")) {
      out.add(new Violation(field, "must not contain two spaces in a row (Samba reads them as one)"));
    }
  }

  /** No trailing backslash, even before trailing spaces: smb.conf would join the next line to it. */
  public static void noContinuation(String field, String value, List<Violation> out) {
    if (value.stripTrailing().endsWith("\\")) {
      out.add(new Violation(field, "must not end with '\\', even before spaces (smb.conf would join "
          + "the next line to it)"));
    }
  }

  /**
   * A value for a message: in single quotes, each control character written as its code point,
   * so that a newline in a hostile value stays visible.
   */
  public static String quote(String s) {
    if (s == null) {
      return "nothing";
    }
    StringBuilder b = new StringBuilder("'");
    for (char c : s.toCharArray()) {
      b.append(Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return b.append('\'').toString();
  }
}
