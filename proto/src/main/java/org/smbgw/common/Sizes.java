package org.smbgw.common;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Byte sizes as administrators write them: {@code 10G}, {@code 512M}, {@code 1.5T}, or bytes. Units are binary. */
public final class Sizes {
  private static final Pattern SIZE =
      Pattern.compile("(\\d+)(?:\\.(\\d{1,3}))?\\s*([KMGTP])?(?:i?B)?", Pattern.CASE_INSENSITIVE);
  private static final String UNITS = "KMGTP";

  private Sizes() {}

  /** Parses a size; on failure adds a violation and returns -1. */
  public static long parse(String field, String text, List<Violation> out) {
    Matcher m = text == null ? null : SIZE.matcher(text.strip());
    if (m == null || !m.matches() || (m.group(2) != null && m.group(3) == null)) {
      out.add(new Violation(field, "a size is a whole number of bytes or a number with a unit "
          + "K, M, G, T or P (binary: 1K = 1024), for example 10G or 512M (got "
          + Text.quote(text) + ")"));
      return -1;
    }
    int power = m.group(3) == null ? 0 : UNITS.indexOf(Character.toUpperCase(m.group(3).charAt(0))) + 1;
    try {
      long unit = 1L << (10 * power);
      long whole = Math.multiplyExact(Long.parseLong(m.group(1)), unit);
      long fraction = 0;
      if (m.group(2) != null) {
        String digits = m.group(2);
        fraction = Math.multiplyExact(Long.parseLong(digits), unit) / (long) Math.pow(10, digits.length());
      }
      return Math.addExact(whole, fraction);
    } catch (ArithmeticException | NumberFormatException e) {
      out.add(new Violation(field, "size is too large (got " + Text.quote(text) + ")"));
      return -1;
    }
  }

  /** The shortest exact form: {@code 10G} for 10 GiB, plain bytes when no unit divides evenly. */
  public static String format(long bytes) {
    if (bytes <= 0) {
      return String.valueOf(bytes);
    }
    for (int power = UNITS.length(); power >= 1; power--) {
      long unit = 1L << (10 * power);
      if (bytes % unit == 0) {
        return (bytes / unit) + String.valueOf(UNITS.charAt(power - 1));
      }
    }
    return String.valueOf(bytes);
  }
}
