package org.smbgw.e2e.lab;

import com.hierynomus.msdtyp.AccessMask;
import com.hierynomus.mssmb2.SMB2CreateDisposition;
import com.hierynomus.mssmb2.SMB2ShareAccess;
import com.hierynomus.smbj.SMBClient;
import com.hierynomus.smbj.SmbConfig;
import com.hierynomus.smbj.auth.AuthenticationContext;
import com.hierynomus.smbj.connection.Connection;
import com.hierynomus.smbj.session.Session;
import com.hierynomus.smbj.share.DiskShare;
import com.hierynomus.smbj.share.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.SocketFactory;

/**
 * A client in the lab's client namespace that makes a whole new SMB connection for every request
 * (TCP, negotiate, NTLM session setup, tree connect, open, read) with smbj, in this JVM. A new
 * smbclient process per request took 0.55 to 0.75 s on the lab's two cores under load (a process
 * start and Samba's libraries each time), which the failover figures counted as the gateway's,
 * and the CPU it took slowed the nodes under test; smbj takes 0.13 to 0.2 s there.
 */
public final class SmbjClient implements AutoCloseable {
  /**
   * smbj's promises log, at ERROR, every wait that ends in a failure, as when a probe's socket is
   * cut at its deadline during a failover; the probes count their own failures. Held: the JDK
   * forgets the level of a logger nobody holds.
   */
  private static final java.util.logging.Logger PROMISES =
      java.util.logging.Logger.getLogger("com.hierynomus.protocol.commons.concurrent.Promise");

  static {
    PROMISES.setLevel(java.util.logging.Level.OFF);
  }

  private final NetnsSockets sockets;
  private final Duration timeout;
  private final String user;
  private final String password;

  /** @param timeout the most one request may take, all of it: its connection is cut then */
  public SmbjClient(String namespace, String user, String password, Duration timeout) throws IOException {
    this.sockets = new NetnsSockets(namespace);
    this.timeout = timeout;
    this.user = user;
    this.password = password;
  }

  /**
   * Reads {@code file} of {@code share} at {@code address} over a connection of its own, or
   * throws; never takes much longer than the timeout. smbj bounds each answer it waits for, but a
   * request waits for about ten, and closing waits again: so its socket is closed at the deadline.
   */
  public String read(String address, String share, String file) throws IOException {
    Made made = new Made(System.nanoTime() + timeout.toNanos());
    // Not cancelled when the request ends first: closing its closed sockets again does nothing.
    CompletableFuture.runAsync(made::closeAll, CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
    SmbConfig config = SmbConfig.builder().withSocketFactory(made).withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .withSoTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).withDfsEnabled(false).build();
    // A client of its own each time: SMBClient pools connections by address.
    try (SMBClient client = new SMBClient(config); Connection c = client.connect(address)) {
      Session s = c.authenticate(new AuthenticationContext(user, password.toCharArray(), ""));
      try (DiskShare d = (DiskShare) s.connectShare(share);
          File f = d.openFile(file, EnumSet.of(AccessMask.GENERIC_READ), null, SMB2ShareAccess.ALL,
              SMB2CreateDisposition.FILE_OPEN, null);
          InputStream in = f.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException | RuntimeException e) {
      if (made.cut()) {
        throw new IOException("past the request's deadline of " + timeout.toMillis() + " ms", e);
      }
      throw e;
    } finally {
      made.closeAll();
    }
  }

  /**
   * The namespace's sockets one request made, so that its deadline can close them: each is kept
   * before it connects, and closing it aborts a connect still waiting.
   */
  private final class Made extends SocketFactory {
    private final long deadlineNanos;
    private final List<Socket> made = new ArrayList<>();
    private boolean closed;

    Made(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
      return connected(NetnsSockets.literal(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
      return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) {
      throw new UnsupportedOperationException("a local address is not chosen in the lab");
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
      throw new UnsupportedOperationException("a local address is not chosen in the lab");
    }

    private Socket connected(InetSocketAddress to) throws IOException {
      Socket s = keep(sockets.unconnected());
      long left = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime());
      if (left <= 0) {
        s.close();
        throw new IOException("past the request's deadline");
      }
      s.connect(to, (int) left);
      return s;
    }

    private synchronized Socket keep(Socket s) throws IOException {
      if (closed) {
        s.close();
        throw new IOException("past the request's deadline");
      }
      made.add(s);
      return s;
    }

    /** Whether the deadline closed this request's sockets. */
    synchronized boolean cut() {
      return closed && System.nanoTime() - deadlineNanos >= 0;
    }

    synchronized void closeAll() {
      closed = true;
      for (Socket s : made) {
        try {
          s.close();
        } catch (IOException e) {
          // closing is all that is left to do with it
        }
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    sockets.close();
  }
}
