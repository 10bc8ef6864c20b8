package org.smbgw.coordinator.decide;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.smbgw.common.Addresses;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NetworkInterface;

/**
 * Which floating addresses cannot hurt the network. The holder adds the address and announces it
 * with gratuitous ARP, taking it over on the LAN: a node's own address, a gateway of its routes,
 * loopback, link-local, multicast, the unspecified address, or the network or broadcast address of
 * its prefix would cut off a node, a router or a whole subnet. With {@code vipRanges} set, the
 * address must also lie in one of them. Pure: the nodes' reports and the ranges are passed in.
 */
final class SafeAddresses {
  private SafeAddresses() {}

  /**
   * @param nodes the nodes' latest reports (their interfaces and gateways)
   * @param floating hosts of the floating addresses the cluster has: a node holding one shows it
   *     among its own addresses, which does not make it that node's
   */
  static List<Violation> check(String field, String cidr, Collection<LiveNode> nodes, Set<String> floating,
      List<String> vipRanges) {
    List<Violation> out = new ArrayList<>();
    Addresses.cidr(field, cidr, out);
    if (!out.isEmpty()) {
      return out;
    }
    InetAddress a = parse(Addresses.host(cidr));
    int prefix = Integer.parseInt(cidr.substring(cidr.indexOf('/') + 1));
    int first = a.getAddress()[0] & 0xff;
    boolean v4 = a.getAddress().length == 4;
    String why = a.isLoopbackAddress() ? "a loopback address" : a.isLinkLocalAddress() ? "a link-local address"
        : a.isMulticastAddress() ? "a multicast address" : a.isAnyLocalAddress() ? "the unspecified address"
        : cidr.contains(":") && (v4 || ((java.net.Inet6Address) a).isIPv4CompatibleAddress())
            ? "an IPv4 address written as IPv6"
        : v4 && (first == 0 || first >= 240) ? "a reserved IPv4 address (0/8, 240/4)"
        : hostBits(a, prefix, false) ? "the network address of its prefix /" + prefix
        : v4 && hostBits(a, prefix, true) ? "the broadcast address of its prefix /" + prefix : null;
    if (why != null) {
      out.add(new Violation(field, "a floating address cannot be " + why + " (got " + cidr + ")"));
      return out;
    }
    for (LiveNode n : nodes) {
      for (NetworkInterface i : n.getInventory().getInterfacesList()) {
        // The node's own: those without a lifetime limit (agents that do not say: all it shows).
        for (String own : i.getPermanentCount() > 0 ? i.getPermanentList() : i.getAddressesList()) {
          if (Addresses.same(own, cidr) && !floating.contains(Addresses.host(cidr))) {
            out.add(new Violation(field, "a floating address cannot be a node's own address: " + Addresses.host(cidr)
                + " is node " + n.getNode() + "'s on " + i.getName()));
          }
        }
      }
      for (String gateway : n.getInventory().getGatewaysList()) {
        if (Addresses.same(gateway, cidr)) {
          out.add(new Violation(field, "a floating address cannot be a gateway: " + gateway + " routes node "
              + n.getNode() + "'s traffic"));
        }
      }
    }
    for (LiveNode n : nodes) {
      for (NetworkInterface i : n.getInventory().getInterfacesList()) {
        for (String own : i.getPermanentCount() > 0 ? i.getPermanentList() : i.getAddressesList()) {
          String ownPrefix = own.substring(own.indexOf('/') + 1);
          if (Addresses.contains(own, cidr) && !ownPrefix.equals(String.valueOf(prefix))) {
            // The holder would add a connected route of the wrong size: /16 on a /24 LAN hides
            // the subnets reached through the gateway; /23 makes the LAN's broadcast a host.
            out.add(new Violation(field, "a floating address takes the prefix of the subnet it is in: " + own
                + " on node " + n.getNode() + "'s " + i.getName() + " is /" + ownPrefix + " (got /" + prefix + ")"));
            return out;
          }
        }
      }
    }
    if (!vipRanges.isEmpty() && vipRanges.stream().noneMatch(r -> Addresses.contains(r, cidr))) {
      out.add(new Violation(field, "a floating address must lie in vipRanges " + vipRanges + " (got " + cidr + ")"));
    }
    return out;
  }

  /** Refuses (FAILED_PRECONDITION, naming the rule) a new floating address that could hurt the network. */
  static void refuseUnsafe(Snapshot view, List<String> vipRanges, String field,
      String cidr) {
    Set<String> floating = new java.util.HashSet<>();
    view.addresses().values().forEach(a -> floating.add(Addresses.host(a.value().getAddress())));
    List<Violation> v = check(field, cidr, view.live().values(), floating, vipRanges);
    if (!v.isEmpty()) {
      throw Errors.precondition(String.join("; ", v.stream().map(Violation::toString).toList()));
    }
  }

  /** The address of a literal Addresses.cidr accepted: no name lookup. */
  private static InetAddress parse(String host) {
    try {
      return InetAddress.getByAddress(Addresses.bytes(host));
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(host, e);
    }
  }

  /** Whether every host bit below {@code prefix} is 1 ({@code ones}) or 0; false for /31, /32, /127, /128. */
  private static boolean hostBits(InetAddress a, int prefix, boolean ones) {
    byte[] b = a.getAddress();
    int bits = b.length * 8;
    if (prefix >= bits - 1) {
      return false;
    }
    for (int i = prefix; i < bits; i++) {
      boolean set = (b[i / 8] & (0x80 >> (i % 8))) != 0;
      if (set != ones) {
        return false;
      }
    }
    return true;
  }
}
