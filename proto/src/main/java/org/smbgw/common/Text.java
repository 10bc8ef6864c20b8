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
   * environment) and no trailing backslash (smb.conf line continuation).
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
    if (comment.endsWith("\\")) {
      out.add(new Violation(field, "must not end with '\\' (smb.conf would join the next line)"));
    }
  }

  static String quote(String s) {
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
