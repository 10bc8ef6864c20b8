package org.smbgw.common.tls;

import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.util.AdvancedTlsX509KeyManager;
import io.grpc.util.AdvancedTlsX509TrustManager;
import io.grpc.util.AdvancedTlsX509TrustManager.Verification;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One side's TLS credentials, read from files and read again when they change: the CA it trusts
 * and, for a node, its certificate and key. gRPC's key and trust managers consult this object's
 * current credentials on every handshake, so a certificate replaced on disk serves new connections
 * after the next {@link #reload} without a restart (open connections keep theirs).
 *
 * <p>A replacement that cannot be used (half written, a key that is not the certificate's, a
 * certificate the CA did not sign) is refused and the previous credentials stay. Thread-safe:
 * {@link #reload} is synchronized; the managers are gRPC's, made for updates while in use.
 */
public final class TlsFiles {
  private final TlsConfig files;
  private final boolean node;
  private final AdvancedTlsX509KeyManager keys = new AdvancedTlsX509KeyManager();
  /**
   * Checks clients' certificates (server side): the chain only, by {@link #checkClientChain}; a
   * client's address proves nothing.
   */
  private final AdvancedTlsX509TrustManager clients;
  /** The CAs clients' chains must lead to; replaced on reload. */
  private volatile java.util.Set<java.security.cert.TrustAnchor> anchors = java.util.Set.of();
  /** Checks servers' certificates (client side): the chain and that it covers the name dialled. */
  private final AdvancedTlsX509TrustManager servers;
  private byte[] digest;
  private volatile X509Certificate certificate;

  private TlsFiles(TlsConfig files, boolean node) throws TlsException {
    this.files = files;
    this.node = node;
    try {
      // The JDK's own check of a client would also demand the clientAuth purpose, which
      // Proxmox's pve-ssl.pem (serverAuth only) lacks, and every node presents that certificate
      // as a client too: the chain is checked here instead, and purposes are not.
      clients = AdvancedTlsX509TrustManager.newBuilder().setVerification(Verification.INSECURELY_SKIP_ALL_VERIFICATION)
          .setSslSocketAndEnginePeerVerifier(new AdvancedTlsX509TrustManager.SslSocketAndEnginePeerVerifier() {
            @Override
            public void verifyPeerCertificate(X509Certificate[] chain, String authType, java.net.Socket socket)
                throws java.security.cert.CertificateException {
              checkClientChain(chain);
            }

            @Override
            public void verifyPeerCertificate(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
              checkClientChain(chain);
            }
          }).build();
      servers = AdvancedTlsX509TrustManager.newBuilder()
          .setVerification(Verification.CERTIFICATE_AND_HOST_NAME_VERIFICATION).build();
    } catch (CertificateException e) {
      throw new TlsException("cannot make a trust manager: " + e, e);
    }
    reload();
  }

  /** A node's credentials (agent, coordinator): CA, certificate and key, all read now. */
  public static TlsFiles node(TlsConfig files) throws TlsException {
    return new TlsFiles(files, true);
  }

  /** A client that presents no certificate (the CLI): the CA alone. */
  public static TlsFiles trustOnly(Path ca) throws TlsException {
    return new TlsFiles(new TlsConfig(ca, null, null, "the CA " + ca), false);
  }

  public TlsConfig files() {
    return files;
  }

  /** The certificate this side presents now; null for a client without one. */
  public X509Certificate certificate() {
    return certificate;
  }

  /**
   * Reads the files again and takes them if they changed and can be used.
   *
   * @return whether new credentials were taken
   * @throws TlsException naming the file when they changed and cannot be used (the old ones stay)
   */
  public synchronized boolean reload() throws TlsException {
    byte[] ca = Pem.read(files.ca());
    byte[] cert = node ? Pem.read(files.cert()) : new byte[0];
    byte[] key = node ? Pem.read(files.key()) : new byte[0];
    byte[] now = digest(ca, cert, key);
    if (digest != null && Arrays.equals(now, digest)) {
      return false;
    }
    List<X509Certificate> authorities = Pem.certificates(files.ca(), ca);
    X509Certificate[] chain = null;
    PrivateKey privateKey = null;
    if (node) {
      chain = Pem.certificates(files.cert(), cert).toArray(X509Certificate[]::new);
      privateKey = Pem.privateKey(files.key(), key);
      matches(privateKey, chain[0]);
      signedBy(chain[chain.length - 1], authorities);
    }
    try {
      X509Certificate[] trusted = authorities.toArray(X509Certificate[]::new);
      java.util.Set<java.security.cert.TrustAnchor> now2 = new java.util.HashSet<>();
      for (X509Certificate a : trusted) {
        now2.add(new java.security.cert.TrustAnchor(a, null));
      }
      if (node) {
        clients.updateTrustCredentials(trusted); // only a server checks clients: the CLI's start skips it
      }
      servers.updateTrustCredentials(trusted);
      anchors = java.util.Set.copyOf(now2);
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      throw new TlsException(files.ca() + ": cannot be trusted (" + e.getMessage() + ")", e);
    }
    if (node) {
      keys.updateIdentityCredentials(chain, privateKey);
      certificate = chain[0];
    }
    digest = now;
    return true;
  }

  /**
   * Calls {@link #reload} every {@code period} on {@code executor}; {@code taken} hears of each
   * change taken, {@code refused} of each refused, once per distinct problem and only when two
   * looks in a row found it: a renewal writes the key, then the certificate, and a look between
   * the two sees a pair that does not match for a moment. Cancel the returned future to stop.
   */
  public ScheduledFuture<?> watch(ScheduledExecutorService executor, Duration period, Consumer<String> taken,
      Consumer<String> refused) {
    String[] last = {null};
    String[] seen = {null};
    return executor.scheduleWithFixedDelay(() -> {
      try {
        if (reload()) {
          last[0] = null;
          taken.accept("TLS credentials changed on disk and were reloaded (" + describe() + ")");
        }
        seen[0] = null;
      } catch (TlsException | RuntimeException e) {
        String problem = String.valueOf(e.getMessage());
        if (problem.equals(seen[0]) && !problem.equals(last[0])) {
          last[0] = problem;
          refused.accept("TLS credentials changed on disk but cannot be used; keeping the previous ones: " + problem);
        }
        seen[0] = problem;
      }
    }, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** One line saying which files and (for a node) whose certificate. */
  public String describe() {
    X509Certificate c = certificate;
    return files.source() + ": " + (c == null ? "CA " + files.ca()
        : PeerNames.of(c).names() + " until " + c.getNotAfter().toInstant() + ", " + files.cert());
  }

  /** For a channel: presents this node's certificate (if any) and checks the server's against the name dialled. */
  public ChannelCredentials channelCredentials() {
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(servers);
    if (node) {
      b.keyManager(keys);
    }
    return b.build();
  }

  /**
   * For a server: presents this node's certificate and asks clients for theirs. A client
   * without one (the CLI) may connect; a client whose certificate the CA did not sign may not.
   * What each service requires of its callers is its own business ({@link Peer}).
   */
  public ServerCredentials serverCredentials() {
    if (!node) {
      throw new IllegalStateException("a server needs a certificate and key, not only a CA");
    }
    return TlsServerCredentials.newBuilder().keyManager(keys).trustManager(clients)
        .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL).build();
  }

  /**
   * A client's chain must lead to one of the CAs (PKIX: signatures, validity, CA constraints; no
   * revocation, which Proxmox's CA does not publish). Its purposes are not checked: see above.
   */
  void checkClientChain(X509Certificate[] chain) throws java.security.cert.CertificateException {
    if (chain == null || chain.length == 0) {
      throw new java.security.cert.CertificateException("the client presented no certificate");
    }
    java.util.Set<java.security.cert.TrustAnchor> trusted = anchors;
    List<X509Certificate> path = new java.util.ArrayList<>(List.of(chain));
    // A chain that ends with the CA itself: the CA is the anchor, not part of the path.
    while (path.size() > 1 && trusted.stream().anyMatch(t -> t.getTrustedCert().equals(path.get(path.size() - 1)))) {
      path.remove(path.size() - 1);
    }
    try {
      java.security.cert.PKIXParameters p = new java.security.cert.PKIXParameters(trusted);
      p.setRevocationEnabled(false);
      java.security.cert.CertPathValidator.getInstance("PKIX").validate(
          java.security.cert.CertificateFactory.getInstance("X.509").generateCertPath(path), p);
    } catch (java.security.cert.CertPathValidatorException e) {
      throw new java.security.cert.CertificateException("not a certificate of this cluster's CA ("
          + e.getMessage() + ")", e);
    } catch (java.security.GeneralSecurityException e) {
      throw new java.security.cert.CertificateException("cannot check the client's certificate: " + e.getMessage(), e);
    }
    // What the JDK's check also asked, but for the purpose: a node's own certificate, for TLS.
    X509Certificate leaf = chain[0];
    if (leaf.getBasicConstraints() != -1) {
      throw new java.security.cert.CertificateException("a CA's certificate is no node's certificate");
    }
    boolean[] usage = leaf.getKeyUsage();
    if (usage != null && !usage[0]) {
      throw new java.security.cert.CertificateException("its key usage does not include digitalSignature");
    }
    List<String> purposes = leaf.getExtendedKeyUsage();
    if (purposes != null && purposes.stream().noneMatch(TLS_PURPOSES::contains)) {
      throw new java.security.cert.CertificateException("it is for neither TLS servers nor TLS clients " + purposes);
    }
  }

  /** serverAuth, clientAuth, anyExtendedKeyUsage: a node presents a certificate made for either end of TLS. */
  private static final java.util.Set<String> TLS_PURPOSES = java.util.Set.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2",
      "2.5.29.37.0");

  private void matches(PrivateKey key, X509Certificate cert) throws TlsException {
    try {
      String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : key.getAlgorithm().equals("RSA")
          ? "SHA256withRSA" : null;
      if (alg == null) {
        throw new TlsException(files.key() + ": a " + key.getAlgorithm() + " key; smbgw uses RSA or EC keys");
      }
      byte[] probe = "smbgw key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (!v.verify(sig)) {
        throw new TlsException(files.key() + ": is not the key of the certificate in " + files.cert());
      }
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException(files.key() + ": is not the key of the certificate in " + files.cert() + " (" + e.getMessage() + ")", e);
    }
  }

  private void signedBy(X509Certificate last, List<X509Certificate> authorities) throws TlsException {
    for (X509Certificate ca : authorities) {
      try {
        last.verify(ca.getPublicKey());
        return;
      } catch (java.security.GeneralSecurityException e) {
        // not this one
      }
    }
    throw new TlsException(files.cert() + ": was not issued by the CA in " + files.ca()
        + " (peers would refuse it)");
  }

  private static byte[] digest(byte[]... parts) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      for (byte[] p : parts) {
        d.update(Integer.toString(p.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        d.update(p);
      }
      return d.digest();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
