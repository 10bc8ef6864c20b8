package org.smbgw.agent.net;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;

/**
 * An unsolicited ARP request for an address just taken over ("ADDR is at this interface's MAC",
 * sender and target both ADDR, to the broadcast address), as {@code arping -U} sends it: Linux
 * takes such a request as news even within its neighbour lock time. Sent on a packet socket
 * ({@link RawSockets}, as the tickles are), because a new {@code arping} process took
 * 0.1 to 0.2 s to start on a loaded node, all of it a time clients could not reach the address.
 * IPv4 only.
 */
public final class GratuitousArp {
  private static final int AF_PACKET = 17;
  private static final int SOCK_DGRAM = 2;
  private static final int ETH_P_ARP = 0x0806;
  private static final int ARPHRD_ETHER = 1;
  private static final int ETH_P_IP = 0x0800;
  private static final int ARPOP_REQUEST = 1;

  private GratuitousArp() {}

  /** Tells {@code device}'s link that {@code address} is at its MAC; throws when that cannot be sent. */
  public static void announce(String address, String device) throws IOException {
    InetAddress a = InetAddress.getByName(address);
    if (!(a instanceof Inet4Address)) {
      throw new IOException("gratuitous ARP is IPv4 only: " + address);
    }
    send(request(mac(device), a.getAddress(), a.getAddress()), device);
  }

  /** Broadcasts the ARP packet {@code arp} on {@code device}. */
  static void send(byte[] arp, String device) throws IOException {
    RawSockets.send(AF_PACKET, SOCK_DGRAM, 0, null, arp, linkBroadcast(ifindex(device)), 1); // protocol 0: receives nothing
  }

  /** The interface's MAC, from sysfs (one file, where listing every interface costs a walk of them all). */
  static byte[] mac(String device) throws IOException {
    String text = read(device, "address");
    byte[] mac = text.length() == 17 ? HexFormat.ofDelimiter(":").parseHex(text) : null;
    if (mac == null || mac.length != 6) {
      throw new IOException(device + " has no Ethernet address (" + text + ")");
    }
    return mac;
  }

  static int ifindex(String device) throws IOException {
    return Integer.parseInt(read(device, "ifindex"));
  }

  private static String read(String device, String what) throws IOException {
    if (device.isEmpty() || device.contains("/") || device.startsWith(".")) {
      throw new IOException("not an interface name: " + device);
    }
    try {
      return Files.readString(Path.of("/sys/class/net", device, what)).strip();
    } catch (NoSuchFileException e) {
      throw new IOException("no interface " + device);
    }
  }

  /** A 28-byte ARP request, Ethernet/IPv4, from {@code mac} at {@code sender}, asking for {@code target}. */
  static byte[] request(byte[] mac, byte[] sender, byte[] target) {
    byte[] p = new byte[28];
    put16(p, 0, ARPHRD_ETHER);
    put16(p, 2, ETH_P_IP);
    p[4] = 6;
    p[5] = 4;
    put16(p, 6, ARPOP_REQUEST);
    System.arraycopy(mac, 0, p, 8, 6);
    System.arraycopy(sender, 0, p, 14, 4);
    for (int i = 18; i < 24; i++) {
      p[i] = (byte) 0xff; // target hardware address: broadcast, as arping -U sets it
    }
    System.arraycopy(target, 0, p, 24, 4);
    return p;
  }

  /** struct sockaddr_ll (20 bytes) for the link's broadcast address; the protocol in network order. */
  static byte[] linkBroadcast(int ifindex) {
    ByteBuffer b = RawSockets.sockaddr(20, AF_PACKET);
    b.put(2, (byte) (ETH_P_ARP >> 8)).put(3, (byte) ETH_P_ARP);
    b.putInt(4, ifindex);
    b.putShort(8, (short) ARPHRD_ETHER);
    b.put(11, (byte) 6); // sll_halen
    for (int i = 12; i < 18; i++) {
      b.put(i, (byte) 0xff);
    }
    return b.array();
  }

  private static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
  }
}
