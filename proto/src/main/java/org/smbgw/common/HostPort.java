package org.smbgw.common;

import java.util.List;

/**
 * A host and a port, as every side writes them: {@code host:port}, {@code 10.0.0.1:7400},
 * {@code [fd00::1]:7400}. The one parser of the three places that used to split on the last colon.
 */
public record HostPort(String host, int port) {

  /**
   * Parses {@code text}; on a bad value adds a violation naming {@code field} and returns null.
   *
   * @param listen port 0 (any free port) is allowed, as for a server's listen address
   */
  public static HostPort parse(String field, String text, boolean listen, List<Violation> out) {
    String rule = "must be host:port (IPv6 as [address]:port)";
    if (text == null || text.isBlank() || Text.firstControl(text) >= 0 || !text.strip().equals(text)) {
      out.add(new Violation(field, rule + " (got " + Text.quote(text) + ")"));
      return null;
    }
    String host;
    String port;
    if (text.startsWith("[")) {
      int close = text.indexOf("]:");
      if (close < 0) {
        out.add(new Violation(field, rule + " (got " + Text.quote(text) + ")"));
        return null;
      }
      host = text.substring(1, close);
      port = text.substring(close + 2);
    } else {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || text.indexOf(':') != colon) {
        out.add(new Violation(field, rule + " (got " + Text.quote(text) + ")"));
        return null;
      }
      host = text.substring(0, colon);
      port = text.substring(colon + 1);
    }
    if (host.isEmpty() || host.contains(" ") || !port.matches("\\d{1,5}")) {
      out.add(new Violation(field, rule + " (got " + Text.quote(text) + ")"));
      return null;
    }
    int p = Integer.parseInt(port);
    if (p > 65535 || (p == 0 && !listen)) {
      out.add(new Violation(field, "port must be " + (listen ? 0 : 1) + " to 65535 (got " + p + ")"));
      return null;
    }
    return new HostPort(host, p);
  }

  /** Parses or throws {@link InvalidSpecException}. */
  public static HostPort parse(String field, String text, boolean listen) {
    List<Violation> out = new java.util.ArrayList<>();
    HostPort hp = parse(field, text, listen, out);
    InvalidSpecException.throwIfAny(out);
    return hp;
  }

  /** Whether the host is a wildcard (listen on every address). */
  public boolean wildcard() {
    return host.equals("0.0.0.0") || host.equals("::");
  }

  /** As gRPC targets and configuration files write it. */
  @Override
  public String toString() {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
