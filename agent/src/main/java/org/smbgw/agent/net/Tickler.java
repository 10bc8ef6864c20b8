package org.smbgw.agent.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.smbgw.proto.v1.TcpConnection;

/**
 * TCP "tickle" ACKs, as CTDB sends them: after taking over an address, the new holder sends each
 * client connection the old holder had an ACK with sequence and acknowledgement 0 from the
 * server's side. The client answers with an ACK of its real state; this kernel, which has no such
 * connection, answers that with a RST, and the client resets and reconnects at once instead of
 * retransmitting into the void for minutes. A raw socket (IPPROTO_TCP), see {@link RawSockets}. IPv4 only.
 */
public final class Tickler {
  private static final int AF_INET = 2;
  private static final int SOCK_RAW = 3;
  private static final int IPPROTO_TCP = 6;

  private Tickler() {}

  /** Sends {@code count} tickle ACKs to the client of {@code c}; throws when the kernel refuses. */
  public static void tickle(TcpConnection c, int count) throws UnknownHostException {
    Endpoint server = Endpoint.parse(c.getServer());
    Endpoint client = Endpoint.parse(c.getClient());
    byte[] segment = segment(server, client);
    RawSockets.send(AF_INET, SOCK_RAW, IPPROTO_TCP, sockaddr(server.address, 0), segment, sockaddr(client.address, 0),
        count);
  }

  record Endpoint(byte[] address, int port) {
    static Endpoint parse(String s) throws UnknownHostException {
      int colon = s.lastIndexOf(':');
      InetAddress a = InetAddress.getByName(s.substring(0, colon));
      if (!(a instanceof Inet4Address)) {
        throw new UnknownHostException("tickles are IPv4 only: " + s);
      }
      return new Endpoint(a.getAddress(), Integer.parseInt(s.substring(colon + 1)));
    }
  }

  /** struct sockaddr_in. */
  static byte[] sockaddr(byte[] address, int port) {
    java.nio.ByteBuffer b = RawSockets.sockaddr(16, AF_INET);
    b.put(2, (byte) (port >> 8)).put(3, (byte) port).put(4, address);
    return b.array();
  }

  /** A 20-byte TCP header: ACK, seq 0, ack 0, with its checksum over the pseudo-header. */
  static byte[] segment(Endpoint from, Endpoint to) {
    byte[] h = new byte[20];
    h[0] = (byte) (from.port >> 8);
    h[1] = (byte) from.port;
    h[2] = (byte) (to.port >> 8);
    h[3] = (byte) to.port;
    h[12] = 5 << 4; // data offset: 5 words
    h[13] = 0x10; // ACK
    h[14] = (byte) 0x04; // window 1234
    h[15] = (byte) 0xd2;
    long sum = 0;
    byte[] pseudo = new byte[12];
    System.arraycopy(from.address, 0, pseudo, 0, 4);
    System.arraycopy(to.address, 0, pseudo, 4, 4);
    pseudo[9] = IPPROTO_TCP;
    pseudo[11] = 20;
    sum += words(pseudo) + words(h);
    while ((sum >> 16) != 0) {
      sum = (sum & 0xffff) + (sum >> 16);
    }
    int checksum = (int) (~sum & 0xffff);
    h[16] = (byte) (checksum >> 8);
    h[17] = (byte) checksum;
    return h;
  }

  private static long words(byte[] b) {
    long sum = 0;
    for (int i = 0; i < b.length; i += 2) {
      sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
    return sum;
  }
}
