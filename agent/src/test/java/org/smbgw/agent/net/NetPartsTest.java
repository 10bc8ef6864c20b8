package org.smbgw.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.proto.v1.NetworkInterface;
import org.smbgw.proto.v1.TcpConnection;

class NetPartsTest {
  /**
   * Saved {@code ip -j addr} output: an address with a lifetime (DHCP, SLAAC) is not permanent, one
   * without is; a key printed twice (iproute2 has done so) keeps its last value, not the whole read.
   */
  @Test
  void readsInterfacesFromIpsJsonAndTellsPermanentAddresses() throws Exception {
    List<NetworkInterface> ifs = IpAddresses.interfaces("""
        [{"ifindex":1,"ifname":"lo","flags":["LOOPBACK"],"addr_info":[{"family":"inet","local":"127.0.0.1",\
        "prefixlen":8,"valid_life_time":4294967295}]},
        {"ifindex":2,"ifname":"vmbr0","ifname":"vmbr0","addr_info":[{"family":"inet","local":"10.0.0.5",\
        "prefixlen":24,"valid_life_time":4294967295},{"family":"inet6","local":"fd00::5","prefixlen":64,\
        "valid_life_time":86390},{"family":"inet","local":"10.0.0.50","prefixlen":24}]},
        {"ifindex":3,"ifname":"eth9","addr_info":[]}]
        """);
    assertEquals(List.of("lo", "vmbr0", "eth9"), ifs.stream().map(NetworkInterface::getName).toList());
    assertEquals(List.of("10.0.0.5/24", "fd00::5/64", "10.0.0.50/24"), ifs.get(1).getAddressesList());
    assertEquals(List.of("10.0.0.5/24", "10.0.0.50/24"), ifs.get(1).getPermanentList());
    assertEquals(List.of(), IpAddresses.interfaces(" \n"));
  }

  /** The real {@code ip -j addr} of this machine: loopback's address, held for good. */
  @Test
  void readsTheMachinesOwnInterfaces() throws Exception {
    try (org.smbgw.agent.exec.CommandRunner runner = new org.smbgw.agent.exec.CommandRunner(
        new org.smbgw.agent.metrics.AgentMetrics(new com.codahale.metrics.MetricRegistry()), java.time.Duration.ofSeconds(30))) {
      NetworkInterface lo = new IpAddresses(runner).interfaces().stream().filter(i -> i.getName().equals("lo"))
          .findFirst().orElseThrow();
      assertTrue(lo.getAddressesList().contains("127.0.0.1/8"), lo.toString());
      assertTrue(lo.getPermanentList().contains("127.0.0.1/8"), lo.toString());
    }
  }

  @Test
  void theKernelsTcpTableIsReadForHeldAddressesOnly(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("tcp");
    Files.writeString(file, String.join("\n",
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
        // 198.18.77.50:445 <- 198.18.77.200:51000, established
        "   0: 324D12C6:01BD C84D12C6:C738 01 00000000:00000000 00:00000000 00000000     0        0 1 1 0 20 4 30 10 -1",
        // the same server address, listening (0A): not a connection
        "   1: 324D12C6:01BD 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0 20 4 30 10 -1",
        // another local address, established: not held
        "   2: 0B4D12C6:1CE8 644D12C6:8CA0 01 00000000:00000000 00:00000000 00000000     0        0 3 1 0 20 4 30 10 -1",
        ""));
    List<TcpConnection> found = new TcpTable(file).established(Set.of("198.18.77.50"), 100);
    assertEquals(List.of(TcpConnection.newBuilder().setServer("198.18.77.50:445").setClient("198.18.77.200:51000").build()), found);
    assertEquals(List.of(), new TcpTable(file).established(Set.of(), 100));
    assertEquals(List.of(), new TcpTable(dir.resolve("missing")).established(Set.of("198.18.77.50"), 100));
    assertNull(TcpTable.endpoint("00000000000000000000000000000000:01BD"), "IPv6 rows are not IPv4 endpoints");
  }

  @Test
  void anAddressGoesOnTheInterfaceWithAnotherAddressInItsSubnet() {
    List<NetworkInterface> ifs = List.of(
        NetworkInterface.newBuilder().setName("lo").addAddresses("127.0.0.1/8").build(),
        NetworkInterface.newBuilder().setName("vmbr0").addAddresses("10.0.0.11/24").addAddresses("10.0.0.50/24").build(),
        NetworkInterface.newBuilder().setName("vmbr1").addAddresses("192.168.5.2/23").build());
    assertEquals(Optional.of("vmbr0"), IpAddresses.interfaceFor("10.0.0.50/24", ifs));
    assertEquals(Optional.of("vmbr1"), IpAddresses.interfaceFor("192.168.4.9/23", ifs));
    assertEquals(Optional.empty(), IpAddresses.interfaceFor("172.16.0.1/24", ifs));
    assertTrue(IpAddresses.sameSubnet("fd00::1/64", "fd00::50/64"));
    assertFalse(IpAddresses.sameSubnet("fd00:0:0:1::1/64", "fd00::50/64"));
    assertFalse(IpAddresses.sameSubnet("10.0.0.1/24", "fd00::50/64"));
  }

  @Test
  void aTickleIsAnAckWithZeroSequenceAndAValidChecksum() throws Exception {
    Tickler.Endpoint server = Tickler.Endpoint.parse("198.18.77.50:445");
    Tickler.Endpoint client = Tickler.Endpoint.parse("198.18.77.200:51000");
    byte[] h = Tickler.segment(server, client);
    assertEquals(20, h.length);
    assertEquals(445, ((h[0] & 0xff) << 8) | (h[1] & 0xff));
    assertEquals(51000, ((h[2] & 0xff) << 8) | (h[3] & 0xff));
    for (int i = 4; i < 12; i++) {
      assertEquals(0, h[i], "sequence and acknowledgement are 0");
    }
    assertEquals(0x10, h[13], "ACK only");
    // Summing pseudo-header and segment, checksum included, gives 0xffff when it is right.
    byte[] pseudo = new byte[32];
    System.arraycopy(server.address(), 0, pseudo, 0, 4);
    System.arraycopy(client.address(), 0, pseudo, 4, 4);
    pseudo[9] = 6;
    pseudo[11] = 20;
    System.arraycopy(h, 0, pseudo, 12, 20);
    long sum = 0;
    for (int i = 0; i < pseudo.length; i += 2) {
      sum += ((pseudo[i] & 0xff) << 8) | (pseudo[i + 1] & 0xff);
    }
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    assertEquals(0xffff, sum);
  }
}
