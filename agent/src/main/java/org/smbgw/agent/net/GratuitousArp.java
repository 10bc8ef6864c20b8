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
  private static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

  private GratuitousArp() {}

  /** The announcement of {@code address} on {@code device}, made once and sent as often as wanted. */
  public record Frame(byte[] arp, byte[] to) {
    /** Broadcasts it; throws what the kernel refused. */
    public void send() {
      RawSockets.send(AF_PACKET, SOCK_DGRAM, 0, null, arp, to, 1); // protocol 0: receives nothing
    }
  }

  /** The frame that tells {@code device}'s link that {@code address} is at its MAC. */
  public static Frame of(String address, String device) throws IOException {
    InetAddress a = InetAddress.getByName(address);
    if (!(a instanceof Inet4Address)) {
      throw new IOException("gratuitous ARP is IPv4 only: " + address);
    }
    return new Frame(request(mac(device), a.getAddress(), a.getAddress()), linkBroadcast(ifindex(device)));
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
    // Network byte order, ByteBuffer's own; the target's hardware address is broadcast, as arping -U sets it.
    return ByteBuffer.allocate(28).putShort((short) ARPHRD_ETHER).putShort((short) ETH_P_IP).put((byte) 6).put((byte) 4)
        .putShort((short) ARPOP_REQUEST).put(mac).put(sender).put(BROADCAST).put(target).array();
  }

  /** struct sockaddr_ll (20 bytes) for the link's broadcast address; the protocol in network order. */
  static byte[] linkBroadcast(int ifindex) {
    ByteBuffer b = RawSockets.sockaddr(20, AF_PACKET);
    b.put(2, (byte) (ETH_P_ARP >> 8)).put(3, (byte) ETH_P_ARP);
    b.putInt(4, ifindex);
    b.putShort(8, (short) ARPHRD_ETHER);
    b.put(11, (byte) 6); // sll_halen
    b.put(12, BROADCAST);
    return b.array();
  }
}
