package org.smbgw.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Settings;
import org.smbgw.common.Violation;

class PkiTest {
  private final Path tmp;
  private final Pki pki;

  PkiTest() throws Exception {
    tmp = Files.createTempDirectory("smbgw-pkitest");
    pki = new Pki(tmp.resolve("pki"), Clock.systemUTC());
  }

  @AfterEach
  void clean() throws Exception {
    try (var all = Files.walk(tmp)) {
      all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void initAndIssueWriteKeysOnlyTheOwnerReads() throws Exception {
    pki.init("lab", Duration.ofDays(3650));
    pki.issue("pve1", List.of("10.0.0.1", "pve1.example.com"), Duration.ofDays(365), pki.dir());
    assertEquals("rwx------", mode(pki.dir()));
    assertEquals("rw-------", mode(pki.dir().resolve(Pki.CA_KEY)));
    assertEquals("rw-------", mode(pki.dir().resolve(Pki.NODE_KEY)));
    assertEquals("rw-r--r--", mode(pki.dir().resolve(Pki.CA_CERT)));
    assertEquals("rw-r--r--", mode(pki.dir().resolve(Pki.NODE_CERT)));
    try (var left = Files.list(pki.dir())) {
      assertEquals(4, left.count(), "no temporary file is left behind");
    }
  }

  @Test
  void aNodeCertificateCoversItsNameItsAddressesAndLoopback() throws Exception {
    pki.init("lab", Duration.ofDays(10));
    X509Certificate c = pki.issue("pve1", List.of("10.0.0.1", "pve1.example.com"), Duration.ofDays(1), tmp.resolve("pve1"));
    PeerNames names = PeerNames.of(c);
    assertEquals(List.of("pve1", "10.0.0.1", "pve1.example.com", "localhost", "127.0.0.1", "0:0:0:0:0:0:0:1"), names.names());
    assertTrue(names.namesNode("pve1"));
    assertTrue(!names.namesNode("localhost") && !names.namesNode("10.0.0.1"), "only the common name names a node");
    // A bundle for another node: its certificate, key and the CA, nothing of the CA's key.
    try (var files = Files.list(tmp.resolve("pve1"))) {
      assertEquals(List.of("ca.pem", "node.key", "node.pem"), files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    TlsFiles.node(TlsConfig.pki(tmp.resolve("pve1")));
  }

  @Test
  void aSecondInitIsRefusedAndKeepsTheCa() throws Exception {
    pki.init("lab", Duration.ofDays(10));
    String before = Files.readString(pki.dir().resolve(Pki.CA_CERT));
    TlsException e = assertThrows(TlsException.class, () -> pki.init("lab", Duration.ofDays(10)));
    assertTrue(e.getMessage().contains("a CA exists already"), e.getMessage());
    assertEquals(before, Files.readString(pki.dir().resolve(Pki.CA_CERT)));
  }

  @Test
  void badNamesAreRefusedNamingTheFieldAndWriteNothing() throws Exception {
    pki.init("lab", Duration.ofDays(10));
    InvalidSpecException e = assertThrows(InvalidSpecException.class,
        () -> pki.issue("pve 1", List.of("10.0.0.1;rm"), Duration.ofDays(1), tmp.resolve("x")));
    assertEquals(List.of("node", "address"), e.violations().stream().map(Violation::field).toList());
    assertTrue(!Files.exists(tmp.resolve("x")));
  }

  @Test
  void renewKeepsTheNamesWithANewKey() throws Exception {
    pki.init("lab", Duration.ofDays(10));
    Path out = tmp.resolve("pve2");
    X509Certificate first = pki.issue("pve2", List.of("10.0.0.2"), Duration.ofDays(1), out);
    String key = Files.readString(out.resolve(Pki.NODE_KEY));
    X509Certificate second = pki.renew(out, Duration.ofDays(2));
    assertEquals(PeerNames.of(first), PeerNames.of(second));
    assertNotEquals(key, Files.readString(out.resolve(Pki.NODE_KEY)));
    assertTrue(second.getNotAfter().after(first.getNotAfter()));
  }

  @Test
  void onAProxmoxNodeItsClusterCaAndNodeCertificateAreUsed() throws Exception {
    Path pve = tmp.resolve("etc-pve");
    Path smbgwPki = tmp.resolve("etc-smbgw-pki");
    List<Violation> out = new ArrayList<>();
    Path yaml = tmp.resolve("c.yaml");
    Files.writeString(yaml, "tls: {pveRoot: " + pve + "}\n");
    assertEquals(TlsConfig.pki(TlsConfig.PKI), TlsConfig.read(Settings.read(yaml, out, "tls"), out),
        "without Proxmox's CA: smbgw's own PKI");
    Files.createDirectories(pve.resolve("local"));
    Files.writeString(pve.resolve("pve-root-ca.pem"), "");
    assertEquals(TlsConfig.proxmox(pve), TlsConfig.read(Settings.read(yaml, out, "tls"), out));
    Path chosen = tmp.resolve("chosen.yaml");
    Files.writeString(chosen, "tls: {pveRoot: " + pve + ", pki: " + smbgwPki + "}\n");
    assertEquals(TlsConfig.pki(smbgwPki), TlsConfig.read(Settings.read(chosen, out, "tls"), out),
        "pki set: smbgw's PKI even on a Proxmox node");
    assertEquals(pve.resolve("local/pve-ssl.key"), TlsConfig.proxmox(pve).key());
    assertTrue(out.isEmpty(), out.toString());
  }

  @Test
  void relativePathsAreRefusedNamingTheSetting() throws Exception {
    Path yaml = tmp.resolve("c.yaml");
    Files.writeString(yaml, "tls: {key: node.key, port: 1}\n");
    List<Violation> out = new ArrayList<>();
    TlsConfig.read(Settings.read(yaml, out, "tls"), out);
    assertEquals(List.of("tls.port", "tls.key"), out.stream().map(Violation::field).toList(), out.toString());
  }

  @Test
  void aProxmoxStyleRsaKeyInPkcs1Loads() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    var pair = g.generateKeyPair();
    Path key = tmp.resolve("pve-ssl.key");
    Files.writeString(key, Pki.pem(pair.getPrivate()));
    assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"), "PKCS#1, as openssl genrsa wrote it");
    assertEquals(pair.getPrivate(), Pem.privateKey(key));
  }

  @Test
  void keysSmbgwCannotUseAreRefusedNamingTheFileAndWhatToDo() throws Exception {
    Path sec1 = tmp.resolve("ec.key");
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(256);
    Files.writeString(sec1, Pki.pem(g.generateKeyPair().getPrivate()));
    TlsException e = assertThrows(TlsException.class, () -> Pem.privateKey(sec1));
    assertTrue(e.getMessage().startsWith(sec1 + ": an EC key in the SEC1 format") && e.getMessage().contains("openssl pkcs8"),
        e.getMessage());

    Path encrypted = tmp.resolve("enc.key");
    Files.writeString(encrypted, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIB\n-----END ENCRYPTED PRIVATE KEY-----\n");
    assertTrue(assertThrows(TlsException.class, () -> Pem.privateKey(encrypted)).getMessage().contains("encrypted"));

    Path none = tmp.resolve("cert-only.pem");
    pki.init("lab", Duration.ofDays(1));
    Files.copy(pki.dir().resolve(Pki.CA_CERT), none);
    assertEquals(none + ": holds no PEM private key", assertThrows(TlsException.class, () -> Pem.privateKey(none)).getMessage());
  }

  @Test
  void aKeyAfterItsCertificateInOneFileIsFound() throws Exception {
    pki.init("lab", Duration.ofDays(1));
    pki.issue("pve1", List.of(), Duration.ofDays(1), pki.dir());
    Path both = tmp.resolve("both.pem");
    Files.writeString(both, Files.readString(pki.dir().resolve(Pki.NODE_CERT)) + Files.readString(pki.dir().resolve(Pki.NODE_KEY)));
    assertEquals(Pem.privateKey(pki.dir().resolve(Pki.NODE_KEY)), Pem.privateKey(both));
  }
}
