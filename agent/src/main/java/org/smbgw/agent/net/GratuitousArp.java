package org.smbgw.agent.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;

/**
 * An unsolicited ARP request for an address just taken over ("ADDR is at this interface's MAC",
 * sender and target both ADDR, to the broadcast address), as {@code arping -U} sends it: Linux
 * takes such a request as news even within its neighbour lock time. Sent on a packet socket
 * through JNA (needs CAP_NET_RAW, as the tickles do), because a new {@code arping} process took
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

  interface LibC extends Library {
    int socket(int domain, int type, int protocol) throws LastErrorException;

    int sendto(int fd, byte[] buffer, int length, int flags, byte[] address, int addressLength) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static final class Holder {
    static final LibC LIBC = Native.load("c", LibC.class);
  }

  private GratuitousArp() {}

  /** Tells {@code device}'s link that {@code address} is at its MAC; throws when that cannot be sent. */
  public static void announce(String address, String device) throws IOException {
    InetAddress a = InetAddress.getByName(address);
    if (!(a instanceof Inet4Address)) {
      throw new IOException("gratuitous ARP is IPv4 only: " + address);
    }
    NetworkInterface nic = NetworkInterface.getByName(device);
    byte[] mac = nic == null ? null : nic.getHardwareAddress();
    if (mac == null || mac.length != 6) {
      throw new SocketException(device + " has no Ethernet address");
    }
    byte[] frame = request(mac, a.getAddress());
    byte[] to = linkBroadcast(nic.getIndex());
    LibC libc = Holder.LIBC;
    int fd = libc.socket(AF_PACKET, SOCK_DGRAM, 0); // protocol 0: it sends, and receives nothing
    try {
      libc.sendto(fd, frame, frame.length, 0, to, to.length);
    } finally {
      libc.close(fd);
    }
  }

  /** The 28-byte ARP request: Ethernet/IPv4, sender and target address both {@code ip}. */
  static byte[] request(byte[] mac, byte[] ip) {
    byte[] p = new byte[28];
    put16(p, 0, ARPHRD_ETHER);
    put16(p, 2, ETH_P_IP);
    p[4] = 6;
    p[5] = 4;
    put16(p, 6, ARPOP_REQUEST);
    System.arraycopy(mac, 0, p, 8, 6);
    System.arraycopy(ip, 0, p, 14, 4);
    for (int i = 18; i < 24; i++) {
      p[i] = (byte) 0xff; // target hardware address: broadcast, as arping -U sets it
    }
    System.arraycopy(ip, 0, p, 24, 4);
    return p;
  }

  /**
   * struct sockaddr_ll (20 bytes) for the link's broadcast address: family and ifindex in host
   * order (little-endian on every Proxmox platform), protocol in network order.
   */
  static byte[] linkBroadcast(int ifindex) {
    byte[] b = new byte[20];
    b[0] = (byte) AF_PACKET;
    put16(b, 2, ETH_P_ARP);
    b[4] = (byte) ifindex;
    b[5] = (byte) (ifindex >> 8);
    b[6] = (byte) (ifindex >> 16);
    b[7] = (byte) (ifindex >> 24);
    put16le(b, 8, ARPHRD_ETHER);
    b[11] = 6; // sll_halen
    for (int i = 12; i < 18; i++) {
      b[i] = (byte) 0xff;
    }
    return b;
  }

  private static void put16(byte[] b, int at, int v) {
    b[at] = (byte) (v >> 8);
    b[at + 1] = (byte) v;
  }

  private static void put16le(byte[] b, int at, int v) {
    b[at] = (byte) v;
    b[at + 1] = (byte) (v >> 8);
  }
}
