package org.smbgw.common.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.smbgw.common.Names;
import org.smbgw.common.Violation;

/**
 * smbgw's own cluster CA, for clusters without Proxmox's: {@code smbgw certs init} makes it,
 * {@code issue} makes a node's certificate, {@code renew} makes a new key and certificate with
 * the same names. Tests make their throwaway CAs with the same code.
 *
 * <p>It needs BouncyCastle, which only the smbgw package (the CLI) carries: the daemons read
 * certificates and keys ({@link Pem}) but never make them.
 *
 * <p>A directory holds {@code ca.pem} (the CA certificate every node trusts), {@code ca.key} (only
 * where certificates are issued), {@code node.pem} and {@code node.key} (this node's). Directories
 * are 0700, keys 0600, certificates 0644; every file is written beside its place and renamed into
 * it, so a reader (a daemon reloading its certificate) sees the old file or the new one, never
 * half of one. Keys are EC P-256.
 */
public final class Pki {
  public static final String CA_CERT = "ca.pem";
  public static final String CA_KEY = "ca.key";
  public static final String NODE_CERT = "node.pem";
  public static final String NODE_KEY = "node.key";

  /** Names every node certificate carries besides the node's own, so that a local CLI reaches its node. */
  public static final List<String> LOCAL_NAMES = List.of("localhost", "127.0.0.1", "::1");

  private static final SecureRandom RANDOM = new SecureRandom();

  private final Path dir;
  private final Clock clock;

  public Pki(Path dir, Clock clock) {
    this.dir = dir;
    this.clock = clock;
  }

  public Path dir() {
    return dir;
  }

  /** Makes a new CA here. Refuses when one exists: every node's certificate would stop being trusted. */
  public X509Certificate init(String cluster, Duration validity) throws IOException, TlsException {
    if (Files.exists(dir.resolve(CA_KEY)) || Files.exists(dir.resolve(CA_CERT))) {
      throw new TlsException(dir.resolve(CA_CERT) + ": a CA exists already; replacing it would make every node's "
          + "certificate untrusted (remove the directory first if that is meant)");
    }
    KeyPair ca = newKey();
    X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "smbgw")
        .addRDN(BCStyle.CN, "smbgw cluster CA " + cluster).build();
    Instant now = clock.instant();
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(validity)), name, ca.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(0));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(ca.getPublic()));
      X509Certificate cert = sign(b, ca.getPrivate());
      ensureDir();
      write(dir.resolve(CA_KEY), key(ca.getPrivate()), true);
      write(dir.resolve(CA_CERT), pem(cert), false);
      return cert;
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException("cannot make the CA: " + e, e);
    }
  }

  /**
   * Issues a certificate for {@code node} covering its name, {@code addresses} (IP addresses or
   * host names) and {@link #LOCAL_NAMES}, and writes it with its new key and the CA certificate
   * to {@code out} ({@code node.pem}, {@code node.key}, {@code ca.pem}).
   *
   * @throws org.smbgw.common.InvalidSpecException naming {@code node} or {@code address} for a bad name
   */
  public X509Certificate issue(String node, List<String> addresses, Duration validity, Path out)
      throws IOException, TlsException {
    return issue(node, addresses, validity, out, KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth);
  }

  /** {@link #issue} for the given purposes only (tests: Proxmox's pve-ssl.pem is for serverAuth alone). */
  X509Certificate issue(String node, List<String> addresses, Duration validity, Path out, KeyPurposeId... purposes)
      throws IOException, TlsException {
    List<Violation> bad = new ArrayList<>();
    Names.nodeName("node", node, bad);
    for (String a : addresses) {
      if (!isAddress(a) && !a.matches("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*")) {
        bad.add(new Violation("address", "must be an IP address or a DNS name (got " + org.smbgw.common.Text.quote(a) + ")"));
      }
    }
    org.smbgw.common.InvalidSpecException.throwIfAny(bad);
    X509Certificate caCert = Pem.certificates(dir.resolve(CA_CERT)).get(0);
    PrivateKey caKey = Pem.privateKey(dir.resolve(CA_KEY));
    KeyPair pair = newKey();
    Set<String> names = new LinkedHashSet<>();
    names.add(node);
    names.addAll(addresses);
    names.addAll(LOCAL_NAMES);
    List<GeneralName> sans = new ArrayList<>();
    for (String n : names) {
      sans.add(isAddress(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
    }
    Instant now = clock.instant();
    try {
      X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "smbgw").addRDN(BCStyle.CN, node).build();
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(caCert, serial(),
          Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), subject, pair.getPublic());
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false,
          new ExtendedKeyUsage(purposes));
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(pair.getPublic()));
      b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate cert = sign(b, caKey);
      Files.createDirectories(out);
      if (!out.equals(dir)) {
        Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwx------"));
        write(out.resolve(CA_CERT), pem(caCert), false);
      }
      // The key first: a reloading daemon that sees the new certificate before its key keeps the old pair.
      write(out.resolve(NODE_KEY), key(pair.getPrivate()), true);
      write(out.resolve(NODE_CERT), pem(cert), false);
      return cert;
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException("cannot issue a certificate for " + node + ": " + e, e);
    }
  }

  /** Issues a new key and certificate for the node whose certificate is in {@code out}, with the same names. */
  public X509Certificate renew(Path out, Duration validity) throws IOException, TlsException {
    X509Certificate old = Pem.certificates(out.resolve(NODE_CERT)).get(0);
    List<String> names = new ArrayList<>(PeerNames.of(old).names());
    String node = PeerNames.of(old).commonName()
        .orElseThrow(() -> new TlsException(out.resolve(NODE_CERT) + ": names no node (no CN)"));
    names.remove(node);
    List<String> local = LOCAL_NAMES.stream().map(Pki::canonical).toList();
    names.removeIf(n -> local.contains(canonical(n)));
    return issue(node, names, validity, out);
  }

  private void ensureDir() throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
  }

  private static String key(PrivateKey key) {
    try {
      return pem(new JcaPKCS8Generator(key, null));
    } catch (org.bouncycastle.util.io.pem.PemGenerationException e) {
      throw new IllegalStateException(e);
    }
  }

  /** PEM text of certificates or keys. */
  static String pem(Object... objects) {
    java.io.StringWriter out = new java.io.StringWriter();
    try (org.bouncycastle.openssl.jcajce.JcaPEMWriter w = new org.bouncycastle.openssl.jcajce.JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString();
  }

  /** Writes beside the target with its final mode from the start, then renames it into place. */
  private static void write(Path target, String content, boolean secret) throws IOException {
    Path tmp = target.resolveSibling("." + target.getFileName() + ".new");
    Files.deleteIfExists(tmp);
    try {
      Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
    } catch (FileAlreadyExistsException e) {
      throw new IOException(tmp + ": appeared while writing; is another smbgw certs running?", e);
    }
    Files.writeString(tmp, content, StandardCharsets.US_ASCII);
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
      ch.force(true);
    }
    Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static KeyPair newKey() throws TlsException {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
      g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
      return g.generateKeyPair();
    } catch (java.security.GeneralSecurityException e) {
      throw new TlsException("cannot make an EC P-256 key: " + e, e);
    }
  }

  private static BigInteger serial() {
    return new BigInteger(127, RANDOM).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder b, PrivateKey key) throws java.security.GeneralSecurityException {
    try {
      return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
    } catch (OperatorCreationException e) {
      throw new java.security.GeneralSecurityException(e);
    }
  }

  /** An address as Java writes it (::1 is 0:0:0:0:0:0:0:1 once read back from a certificate); a name as is. */
  private static String canonical(String name) {
    try {
      return isAddress(name) ? InetAddress.getByName(name).getHostAddress() : name;
    } catch (java.net.UnknownHostException e) {
      return name;
    }
  }

  static boolean isAddress(String s) {
    if (!s.matches("[0-9.]+") && !s.contains(":")) {
      return false;
    }
    try {
      return s.matches("[0-9a-fA-F.:]+") && InetAddress.getByName(s) != null;
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }
}
