package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NetworkInterface;
import org.smbgw.proto.v1.NodeInventory;

class SafeAddressesTest {
  private static final List<LiveNode> NODES = List.of(LiveNode.newBuilder().setNode("pve1").setInventory(
      NodeInventory.newBuilder().addInterfaces(NetworkInterface.newBuilder().setName("vmbr0")
          .addAddresses("10.0.0.11/24").addAddresses("10.0.0.50/24").addAddresses("fd00::11/64"))
          .addGateways("10.0.0.1").addGateways("fd00::1")).build());

  private static String refusal(String cidr, List<String> ranges) {
    List<Violation> v = SafeAddresses.check("address", cidr, NODES, Set.of("10.0.0.50"), ranges);
    return v.isEmpty() ? "" : v.toString();
  }

  @Test
  void addressesThatWouldTakeOverSomethingElseAreRefusedNamingTheRule() {
    String[][] table = {
        {"10.0.0.11/24", "node pve1's on vmbr0"},
        {"fd00::11/64", "node pve1's on vmbr0"},
        {"10.0.0.1/24", "a gateway"},
        {"fd00:0::1/64", "a gateway"},
        {"127.0.0.2/8", "loopback"},
        {"::1/128", "loopback"},
        {"169.254.1.1/16", "link-local"},
        {"fe80::5/64", "link-local"},
        {"224.0.0.5/24", "multicast"},
        {"ff02::1/64", "multicast"},
        {"0.0.0.0/8", "unspecified"},
        {"10.0.0.0/24", "network address"},
        {"10.0.0.255/24", "broadcast address"},
        {"fd00::/64", "network address"},
        {"::ffff:a00:3c/120", "IPv4 address written as IPv6"},
        {"255.255.255.255/32", "reserved"},
        {"240.0.0.1/8", "reserved"},
    };
    for (String[] row : table) {
      assertTrue(refusal(row[0], List.of()).contains(row[1]), row[0] + " -> " + refusal(row[0], List.of()));
    }
  }

  @Test
  void ordinaryAddressesPassAndAHeldFloatingAddressIsNotANodesOwn() {
    assertEquals("", refusal("10.0.0.60/24", List.of()));
    assertEquals("", refusal("10.0.0.50/24", List.of()), "pve1 shows it because it holds it");
    assertEquals("", refusal("10.5.0.255/31", List.of()), "no broadcast in a /31");
    assertTrue(refusal("10.0.0.60/16", List.of()).contains("prefix of the subnet"), refusal("10.0.0.60/16", List.of()));
    assertTrue(refusal("10.0.0.255/23", List.of()).contains("prefix of the subnet"), "the LAN's broadcast as a /23 host");
    assertEquals("", refusal("fd00::60/64", List.of()));
    LiveNode holding = LiveNode.newBuilder().setNode("pve2").setInventory(NodeInventory.newBuilder()
        .addInterfaces(NetworkInterface.newBuilder().setName("vmbr0").addAddresses("10.0.0.12/24")
            .addAddresses("10.0.0.70/24").addPermanent("10.0.0.12/24"))).build();
    assertEquals(List.of(), SafeAddresses.check("address", "10.0.0.70/24", List.of(holding), Set.of(), List.of()),
        "an address with a lifetime (a floating one, just deleted) is not the node's own");
    assertTrue(SafeAddresses.check("address", "10.0.0.12/24", List.of(holding), Set.of(), List.of()).toString()
        .contains("own address"));
  }

  @Test
  void withVipRangesSetAnAddressMustLieInOne() {
    List<String> ranges = List.of("10.0.0.64/26", "fd00::/112");
    assertEquals("", refusal("10.0.0.70/24", List.of("10.0.0.64/26")));
    assertTrue(refusal("10.0.0.60/24", ranges).contains("vipRanges"), refusal("10.0.0.60/24", ranges));
    assertEquals("", refusal("10.0.0.70/24", ranges));
    assertEquals("", refusal("fd00::60/64", ranges));
    assertTrue(refusal("fd00::1:60/64", ranges).contains("vipRanges"));
  }
}
