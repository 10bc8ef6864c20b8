package org.smbgw.common;

import java.util.List;
import java.util.regex.Pattern;

/** Rules for floating addresses written as CIDR ({@code 10.0.0.50/24}, {@code fd00::50/64}). */
public final class Addresses {
  private static final Pattern OCTET = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)");
  private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:]{2,39}");

  private Addresses() {}

  public static void cidr(String field, String value, List<Violation> out) {
    String rule = "an address is IPv4 or IPv6 with a prefix length, for example 10.0.0.50/24 (got "
        + Text.quote(value) + ")";
    int slash = value == null ? -1 : value.indexOf('/');
    if (slash < 0) {
      out.add(new Violation(field, rule));
      return;
    }
    String host = value.substring(0, slash);
    String prefix = value.substring(slash + 1);
    boolean v4 = IPV4.matcher(host).matches();
    boolean v6 = !v4 && IPV6.matcher(host).matches() && isIpv6(host);
    int max = v4 ? 32 : 128;
    if (!(v4 || v6) || !prefix.matches("\\d{1,3}") || Integer.parseInt(prefix) < 1
        || Integer.parseInt(prefix) > max) {
      out.add(new Violation(field, rule));
    }
  }

  /**
   * The address without its prefix length, in one spelling per address (IPv6 written out in full):
   * what identifies a floating address, so that {@code fd00::50} and {@code fd00:0::50} are one.
   */
  public static String host(String cidr) {
    int slash = cidr.indexOf('/');
    String host = (slash < 0 ? cidr : cidr.substring(0, slash)).toLowerCase(java.util.Locale.ROOT);
    if (host.contains(":") && IPV6.matcher(host).matches() && isIpv6(host)) {
      try {
        return java.net.InetAddress.getByName(host).getHostAddress(); // a literal: no name lookup
      } catch (java.net.UnknownHostException e) {
        return host;
      }
    }
    return host;
  }

  /** Whether two CIDR strings name the same address, whatever their prefix lengths. */
  public static boolean same(String a, String b) {
    return !a.isEmpty() && !b.isEmpty() && host(a).equals(host(b));
  }

  /**
   * Whether {@code address} (CIDR or bare, a valid literal) lies in the network {@code network}
   * (CIDR) names; false for different families or anything that is not a literal.
   */
  public static boolean contains(String network, String address) {
    byte[] net = bytes(host(network));
    byte[] a = bytes(host(address));
    int slash = network.indexOf('/');
    if (net == null || a == null || net.length != a.length || slash < 0 || !network.substring(slash + 1).matches("\\d{1,3}")) {
      return false;
    }
    int prefix = Math.min(Integer.parseInt(network.substring(slash + 1)), net.length * 8);
    for (int i = 0; i < prefix; i++) {
      int mask = 0x80 >> (i % 8);
      if ((net[i / 8] & mask) != (a[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** The address's bytes (4 or 16), or null when it is not a literal these rules accept. */
  public static byte[] bytes(String host) {
    List<Violation> bad = new java.util.ArrayList<>();
    cidr("", host + (host.contains(":") ? "/128" : "/32"), bad);
    if (!bad.isEmpty()) {
      return null;
    }
    try {
      return java.net.InetAddress.getByName(host).getAddress(); // a literal: no name lookup
    } catch (java.net.UnknownHostException e) {
      return null;
    }
  }

  private static final Pattern INTERFACE = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.@-]{0,14}");

  /** A Linux interface name: 1 to 15 characters, no slash or space; empty means "find it". */
  public static void interfaceName(String field, String value, List<Violation> out) {
    if (value != null && !value.isEmpty() && !INTERFACE.matcher(value).matches()) {
      out.add(new Violation(field, "an interface name is 1 to 15 letters, digits, '_', '.', '@' or '-' (got "
          + Text.quote(value) + ")"));
    }
  }

  private static boolean isIpv6(String host) {
    int doubleColon = host.indexOf("::");
    if (doubleColon >= 0 && host.indexOf("::", doubleColon + 1) >= 0) {
      return false;
    }
    String[] groups = host.split(":", -1);
    int nonEmpty = 0;
    for (String g : groups) {
      if (g.length() > 4) {
        return false;
      }
      if (!g.isEmpty()) {
        nonEmpty++;
      }
    }
    return doubleColon >= 0 ? nonEmpty < 8 : groups.length == 8 && nonEmpty == 8;
  }
}
