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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A client in the lab's client namespace that makes a whole new SMB connection for every request
 * (TCP, negotiate, NTLM session setup, tree connect, open, read) with smbj, in this JVM. A new
 * smbclient process per request costs a process start and Samba's libraries each time: on the
 * lab's two cores about half a second under load, which a benchmark then counted as the
 * gateway's failover, and the CPU it took slowed the nodes under test.
 */
public final class SmbjClient implements AutoCloseable {
  /** smbj tells every connection and session at INFO; the lab wants its warnings only. */
  private static final Logger SMBJ_LOG = Logger.getLogger("com.hierynomus");

  static {
    SMBJ_LOG.setLevel(Level.WARNING);
  }

  private final NetnsSockets sockets;
  private final SmbConfig config;
  private final String user;
  private final String password;

  /** @param timeout for the TCP connect and for each answer */
  public SmbjClient(String namespace, String user, String password, Duration timeout) throws IOException {
    this.sockets = new NetnsSockets(namespace, (int) timeout.toMillis());
    this.user = user;
    this.password = password;
    this.config = SmbConfig.builder().withSocketFactory(sockets).withTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .withSoTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).withDfsEnabled(false).build();
  }

  /** Reads {@code file} of {@code share} at {@code address} over a connection of its own. */
  public String read(String address, String share, String file) throws IOException {
    // A client of its own each time: SMBClient pools connections by address.
    try (SMBClient client = new SMBClient(config); Connection c = client.connect(address)) {
      Session s = c.authenticate(new AuthenticationContext(user, password.toCharArray(), ""));
      try (DiskShare d = (DiskShare) s.connectShare(share);
          File f = d.openFile(file, EnumSet.of(AccessMask.GENERIC_READ), null, SMB2ShareAccess.ALL,
              SMB2CreateDisposition.FILE_OPEN, null);
          InputStream in = f.getInputStream()) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    sockets.close();
  }
}
