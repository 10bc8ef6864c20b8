package org.smbgw.agent.net;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.smbgw.proto.v1.TcpConnection;

/**
 * Established TCP connections from {@code /proc/net/tcp}: the kernel's own table, in this
 * process's network namespace, read without running anything. IPv4 only (tickles are IPv4).
 */
public final class TcpTable {
  private static final String ESTABLISHED = "01";
  private final Path file;

  public TcpTable(Path file) {
    this.file = file;
  }

  public static TcpTable proc() {
    return new TcpTable(Path.of("/proc/net/tcp"));
  }

  /** Connections whose local address is one of {@code hosts}, at most {@code limit} of them. */
  public List<TcpConnection> established(Set<String> hosts, int limit) {
    List<TcpConnection> out = new ArrayList<>();
    if (hosts.isEmpty()) {
      return out;
    }
    List<String> lines;
    try {
      lines = Files.readAllLines(file);
    } catch (IOException e) {
      return out;
    }
    for (String line : lines) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 4 || !f[3].equals(ESTABLISHED) || !f[1].contains(":")) {
        continue;
      }
      String local = endpoint(f[1]);
      String remote = endpoint(f[2]);
      if (local == null || remote == null || !hosts.contains(local.substring(0, local.lastIndexOf(':')))) {
        continue;
      }
      out.add(TcpConnection.newBuilder().setServer(local).setClient(remote).build());
      if (out.size() >= limit) {
        break;
      }
    }
    return out;
  }

  /** "0100007F:01BD" (little-endian address, port) to "127.0.0.1:445". */
  static String endpoint(String hex) {
    int colon = hex.indexOf(':');
    if (colon != 8) {
      return null;
    }
    try {
      long a = Long.parseLong(hex.substring(0, 8), 16);
      int port = Integer.parseInt(hex.substring(colon + 1), 16);
      return (a & 0xff) + "." + ((a >> 8) & 0xff) + "." + ((a >> 16) & 0xff) + "." + ((a >> 24) & 0xff) + ":" + port;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
