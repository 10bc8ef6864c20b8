package org.smbgw.common.tls;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.smbgw.common.Settings;
import org.smbgw.common.Violation;

/**
 * Which certificate files a daemon uses: the {@code tls} section of its configuration.
 *
 * <p>On a Proxmox node (where {@code <pveRoot>/pve-root-ca.pem} exists) it trusts Proxmox's
 * cluster CA and presents the node's own Proxmox certificate, {@code <pveRoot>/local/pve-ssl.pem}
 * and {@code pve-ssl.key}, which it only reads. Elsewhere it uses smbgw's own PKI directory
 * ({@code ca.pem}, {@code node.pem}, {@code node.key}, made by {@code smbgw certs}); so does a
 * node with {@code pki} set, Proxmox or not. {@code ca}, {@code cert} and {@code key} name files
 * explicitly, each overriding its default.
 *
 * @param source a phrase for logs and errors: where the files were chosen from
 */
public record TlsConfig(Path ca, Path cert, Path key, String source) {
  public static final Path PVE_ROOT = Path.of("/etc/pve");
  public static final Path PKI = Path.of("/etc/smbgw/pki");
  public static final String[] KNOWN = {"pveRoot", "pki", "ca", "cert", "key"};

  /** The defaults: Proxmox's files where they exist, else /etc/smbgw/pki. */
  public static TlsConfig defaults() {
    return resolve(PVE_ROOT, PKI, null, null, null);
  }

  /** smbgw's PKI directory {@code dir}, whatever else exists. */
  public static TlsConfig pki(Path dir) {
    return new TlsConfig(dir.resolve(Pki.CA_CERT), dir.resolve(Pki.NODE_CERT), dir.resolve(Pki.NODE_KEY),
        "smbgw's PKI in " + dir);
  }

  /** Proxmox's files under {@code pveRoot}. */
  public static TlsConfig proxmox(Path pveRoot) {
    return new TlsConfig(pveRoot.resolve("pve-root-ca.pem"), pveRoot.resolve("local/pve-ssl.pem"),
        pveRoot.resolve("local/pve-ssl.key"), "Proxmox's cluster CA in " + pveRoot);
  }

  public static TlsConfig resolve(Path pveRoot, Path pki, Path ca, Path cert, Path key) {
    return resolve(pveRoot, pki, ca, cert, key, false);
  }

  /** @param pkiChosen {@code pki} was set: smbgw's PKI even where Proxmox's files exist */
  public static TlsConfig resolve(Path pveRoot, Path pki, Path ca, Path cert, Path key, boolean pkiChosen) {
    TlsConfig base = !pkiChosen && Files.exists(pveRoot.resolve("pve-root-ca.pem")) ? proxmox(pveRoot) : pki(pki);
    if (ca == null && cert == null && key == null) {
      return base;
    }
    return new TlsConfig(ca != null ? ca : base.ca(), cert != null ? cert : base.cert(), key != null ? key : base.key(),
        "tls settings (the rest from " + base.source() + ")");
  }

  /** Reads the {@code tls} section of a daemon's configuration; paths must be absolute. */
  public static TlsConfig read(Settings root, List<Violation> out) {
    Settings s = root.section("tls", KNOWN);
    Path pveRoot = absolute("tls.pveRoot", s.path("pveRoot"), out);
    Path pki = absolute("tls.pki", s.path("pki"), out);
    Path ca = absolute("tls.ca", s.path("ca"), out);
    Path cert = absolute("tls.cert", s.path("cert"), out);
    Path key = absolute("tls.key", s.path("key"), out);
    return resolve(pveRoot != null ? pveRoot : PVE_ROOT, pki != null ? pki : PKI, ca, cert, key, pki != null);
  }

  private static Path absolute(String name, Path p, List<Violation> out) {
    if (p != null && !p.isAbsolute()) {
      out.add(new Violation(name, "must be an absolute path (got " + p + ")"));
      return null;
    }
    return p;
  }

  /** The CA file alone: what a client that presents no certificate (the CLI) needs. */
  public static Path defaultCa() {
    return defaults().ca();
  }
}
