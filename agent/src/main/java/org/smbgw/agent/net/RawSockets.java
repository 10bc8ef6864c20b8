package org.smbgw.agent.net;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Packets the agent writes itself, through JNA (needs CAP_NET_RAW): tickles and gratuitous ARP.
 * One socket per send, closed at once.
 */
final class RawSockets {
  private interface LibC extends Library {
    int socket(int domain, int type, int protocol) throws LastErrorException;

    int bind(int fd, byte[] address, int length) throws LastErrorException;

    int sendto(int fd, byte[] buffer, int length, int flags, byte[] address, int addressLength) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static final class Holder {
    static final LibC LIBC = Native.load("c", LibC.class);
  }

  private RawSockets() {}

  /**
   * Sends {@code packet} to {@code to} {@code times} times from one new socket, bound first to
   * {@code from} unless it is null; throws what the kernel refused.
   */
  static void send(int domain, int type, int protocol, byte[] from, byte[] packet, byte[] to, int times) {
    LibC libc = Holder.LIBC;
    int fd = libc.socket(domain, type, protocol);
    try {
      if (from != null) {
        libc.bind(fd, from, from.length);
      }
      for (int i = 0; i < times; i++) {
        libc.sendto(fd, packet, packet.length, 0, to, to.length);
      }
    } finally {
      libc.close(fd);
    }
  }

  /** A socket address of {@code size} bytes with its family in host order, as the kernel reads it. */
  static ByteBuffer sockaddr(int size, int family) {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
    b.putShort(0, (short) family);
    return b;
  }
}
