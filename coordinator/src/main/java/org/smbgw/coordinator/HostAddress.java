package org.smbgw.coordinator;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The address other machines reach this one at, for a replica that listens on all addresses and
 * was not told what to advertise: the source address the kernel picks toward the IPv4 default
 * gateway (on a Proxmox node, the primary address of the bridge its cluster network is on; never
 * a floating address the agent added, which the JDK would list first), else the primary address of
 * the first interface that is up and not loopback; IPv4 before IPv6; never loopback, link-local or
 * multicast. Looks only at the kernel's tables and connects a UDP socket, which sends nothing: no
 * name is resolved, nothing goes out on the network.
 */
public final class HostAddress {
  private HostAddress() {}

  public static Optional<String> find() {
    try {
      Optional<InetAddress> gateway = defaultGateway(Path.of("/proc/net/route"));
      if (gateway.isPresent()) {
        try (java.net.DatagramSocket s = new java.net.DatagramSocket()) {
          s.connect(gateway.get(), 9); // UDP: only a route lookup, no packet
          InetAddress source = s.getLocalAddress();
          if (source != null && usable(source)) {
            return Optional.of(source.getHostAddress());
          }
        }
      }
      return choose(defaultRouteInterface(Path.of("/proc/net/route")), interfaces());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The IPv4 default route's gateway ({@code /proc/net/route} writes it in host byte order, hex). */
  static Optional<InetAddress> defaultGateway(Path routes) throws IOException {
    if (!Files.isReadable(routes)) {
      return Optional.empty();
    }
    for (String line : Files.readAllLines(routes).stream().skip(1).toList()) {
      String[] f = line.trim().split("\\s+");
      if (f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000") && !f[2].equals("00000000")) {
        int le = (int) Long.parseLong(f[2], 16);
        byte[] b = {(byte) le, (byte) (le >> 8), (byte) (le >> 16), (byte) (le >> 24)};
        return Optional.of(InetAddress.getByAddress(b));
      }
    }
    return Optional.empty();
  }

  /** An interface and its addresses, as the JDK lists them (for IPv4, newest first: the primary last). */
  record Interface(String name, int index, List<InetAddress> addresses) {}

  static Optional<String> choose(Optional<String> defaultRoute, List<Interface> interfaces) {
    List<Interface> ordered = new ArrayList<>(interfaces);
    ordered.sort(Comparator.comparing((Interface i) -> !defaultRoute.map(i.name()::equals).orElse(false))
        .thenComparingInt(Interface::index));
    for (boolean v4 : new boolean[] {true, false}) {
      for (Interface i : ordered) {
        List<InetAddress> oldestFirst = new ArrayList<>(i.addresses());
        java.util.Collections.reverse(oldestFirst); // the primary before secondaries added later
        for (InetAddress a : oldestFirst) {
          if ((a instanceof Inet4Address) == v4 && usable(a)) {
            return Optional.of(a.getHostAddress().replaceFirst("%.*$", ""));
          }
        }
      }
    }
    return Optional.empty();
  }

  private static boolean usable(InetAddress a) {
    return !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isMulticastAddress() && !a.isAnyLocalAddress();
  }

  /** The interface of the IPv4 default route ({@code /proc/net/route}: destination and mask 0). */
  static Optional<String> defaultRouteInterface(Path routes) throws IOException {
    if (!Files.isReadable(routes)) {
      return Optional.empty();
    }
    return Files.readAllLines(routes).stream().skip(1).map(l -> l.trim().split("\\s+"))
        .filter(f -> f.length > 7 && f[1].equals("00000000") && f[7].equals("00000000")).map(f -> f[0]).findFirst();
  }

  private static List<Interface> interfaces() throws SocketException {
    List<Interface> out = new ArrayList<>();
    for (NetworkInterface n : java.util.Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (n.isUp() && !n.isLoopback()) {
        out.add(new Interface(n.getName(), n.getIndex(), java.util.Collections.list(n.getInetAddresses())));
      }
    }
    return out;
  }
}
