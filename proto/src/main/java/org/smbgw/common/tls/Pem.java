package org.smbgw.common.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * PEM files: certificates (one or a chain) and unencrypted private keys in PKCS#8, PKCS#1 (RSA,
 * as Proxmox's {@code pve-ssl.key} may be) or SEC1 (EC). Errors name the file.
 */
public final class Pem {
  private Pem() {}

  /** Every certificate in {@code file}, in order; at least one. */
  public static List<X509Certificate> certificates(Path file) throws TlsException {
    return certificates(file, read(file));
  }

  static List<X509Certificate> certificates(Path file, byte[] content) throws TlsException {
    try {
      List<X509Certificate> certs = CertificateFactory.getInstance("X.509")
          .generateCertificates(new ByteArrayInputStream(content)).stream().map(c -> (X509Certificate) c).toList();
      if (certs.isEmpty()) {
        throw new TlsException(file + ": holds no PEM certificate");
      }
      return certs;
    } catch (CertificateException e) {
      throw new TlsException(file + ": not a PEM certificate (" + e.getMessage() + ")", e);
    }
  }

  /** The one private key in {@code file}. */
  public static PrivateKey privateKey(Path file) throws TlsException {
    return privateKey(file, read(file));
  }

  static PrivateKey privateKey(Path file, byte[] content) throws TlsException {
    try (PEMParser parser = new PEMParser(new StringReader(new String(content, java.nio.charset.StandardCharsets.US_ASCII)))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter convert = new JcaPEMKeyConverter();
      if (o instanceof PEMKeyPair pair) {
        return convert.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return convert.getPrivateKey(info);
      }
      if (o instanceof PEMEncryptedKeyPair || o instanceof PKCS8EncryptedPrivateKeyInfo) {
        throw new TlsException(file + ": the key is encrypted; smbgw needs it unencrypted (protect it by its mode, 0600)");
      }
      throw new TlsException(file + ": holds no PEM private key");
    } catch (IOException e) {
      throw new TlsException(file + ": not a PEM private key (" + e.getMessage() + ")", e);
    }
  }

  static byte[] read(Path file) throws TlsException {
    try {
      return Files.readAllBytes(file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw new TlsException(file + ": no such file", e);
    } catch (java.nio.file.AccessDeniedException e) {
      throw new TlsException(file + ": cannot be read by this user (permission denied)", e);
    } catch (IOException e) {
      throw new TlsException(file + ": cannot be read (" + e + ")", e);
    }
  }

  /** PEM text of certificates or a key. */
  public static String encode(Object... objects) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      for (Object o : objects) {
        w.writeObject(o);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString();
  }
}
