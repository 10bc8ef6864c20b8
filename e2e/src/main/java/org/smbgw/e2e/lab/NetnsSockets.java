package org.smbgw.e2e.lab;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * TCP sockets that belong to a named network namespace ({@code ip netns}), made in this JVM. A
 * socket belongs to the namespace of the thread that creates it, and {@code setns} moves only the
 * calling thread; so one thread of ours enters the namespace once and makes every socket, and any
 * thread may then connect and use it. Lets a client in the lab's client namespace run in the
 * benchmark's JVM instead of as a process per request (see {@link SmbjClient}, whose socket
 * factory connects them).
 */
public final class NetnsSockets implements AutoCloseable {
  private static final int CLONE_NEWNET = 0x40000000;
  private static final int O_RDONLY = 0;

  private interface LibC extends Library {
    int open(String path, int flags) throws LastErrorException;

    int setns(int fd, int nstype) throws LastErrorException;

    int close(int fd) throws LastErrorException;
  }

  private static final class Holder {
    static final LibC LIBC = Native.load("c", LibC.class);
  }

  private final ExecutorService maker;

  /** @param namespace a name under /run/netns */
  public NetnsSockets(String namespace) throws IOException {
    maker = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "netns-" + namespace);
      t.setDaemon(true);
      return t;
    });
    try {
      call(() -> {
        LibC libc = Holder.LIBC;
        int fd = libc.open("/run/netns/" + namespace, O_RDONLY);
        try {
          libc.setns(fd, CLONE_NEWNET);
        } finally {
          libc.close(fd);
        }
        // The thread's namespace is the named one (an nsfs inode each): else not one socket.
        Object want = Files.getAttribute(Path.of("/run/netns", namespace), "unix:ino");
        String have = Files.readSymbolicLink(Path.of("/proc/thread-self/ns/net")).toString();
        if (!have.equals("net:[" + want + "]")) {
          throw new IOException("setns into " + namespace + " left the thread in " + have);
        }
        return null;
      });
    } catch (IOException | RuntimeException e) {
      maker.shutdownNow();
      throw e;
    }
  }

  /** A socket made in the namespace, not yet connected. */
  public Socket unconnected() throws IOException {
    return call(() -> {
      Socket s = new Socket();
      s.bind(null); // makes the kernel's socket now, on this thread: in the namespace
      return s;
    });
  }

  /** {@code host}, which must be an address, and {@code port}; never looks a name up. */
  public static InetSocketAddress literal(String host, int port) throws IOException {
    String[] parts = host.split("\\.", -1);
    if (parts.length == 4 && host.matches("[0-9.]+")) {
      byte[] b = new byte[4];
      for (int i = 0; i < 4; i++) {
        int v = parts[i].isEmpty() || parts[i].length() > 3 ? 256 : Integer.parseInt(parts[i]);
        if (v > 255) {
          throw new IOException("not an address: " + host);
        }
        b[i] = (byte) v;
      }
      return new InetSocketAddress(InetAddress.getByAddress(b), port);
    }
    if (host.contains(":") && host.matches("[0-9a-fA-F:.]+")) {
      return new InetSocketAddress(InetAddress.getByName(host), port); // an IPv6 literal is never looked up
    }
    throw new IOException("not an address: " + host + " (a name would be looked up outside the namespace)");
  }

  private <T> T call(java.util.concurrent.Callable<T> task) throws IOException {
    try {
      return maker.submit(task).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while making a socket", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException("cannot make a socket in the namespace: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() throws InterruptedException {
    maker.shutdownNow();
    maker.awaitTermination(5, TimeUnit.SECONDS);
  }
}
