package org.smbgw.common.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM files with the JDK alone, so that the daemons carry no cryptography library:
 * certificates (one or a chain) and unencrypted private keys, PKCS#8 ({@code BEGIN PRIVATE KEY},
 * RSA or EC, as smbgw certs and openssl 3 write them) or PKCS#1 ({@code BEGIN RSA PRIVATE KEY},
 * as older Proxmox installations' pve-ssl.key is). Errors name the file.
 */
public final class Pem {
  private static final Pattern BLOCK = Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

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

  /** The first private key in {@code file}. */
  public static PrivateKey privateKey(Path file) throws TlsException {
    return privateKey(file, read(file));
  }

  static PrivateKey privateKey(Path file, byte[] content) throws TlsException {
    Matcher m = BLOCK.matcher(new String(content, StandardCharsets.US_ASCII));
    while (m.find()) {
      String type = m.group(1);
      byte[] der;
      try {
        der = Base64.getMimeDecoder().decode(m.group(2).strip());
      } catch (IllegalArgumentException e) {
        throw new TlsException(file + ": its " + type + " is not valid base64", e);
      }
      switch (type) {
        case "PRIVATE KEY":
          return pkcs8(file, der, "RSA", "EC");
        case "RSA PRIVATE KEY":
          return pkcs8(file, rsaPkcs1ToPkcs8(der), "RSA");
        case "ENCRYPTED PRIVATE KEY":
          throw new TlsException(file + ": the key is encrypted; smbgw needs it unencrypted (protected by its mode, 0600)");
        case "EC PRIVATE KEY":
          throw new TlsException(file + ": an EC key in the SEC1 format; convert it once to PKCS#8 with "
              + "openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        default:
          // a certificate or parameters beside the key: look further
      }
    }
    throw new TlsException(file + ": holds no PEM private key");
  }

  private static PrivateKey pkcs8(Path file, byte[] der, String... algorithms) throws TlsException {
    for (String a : algorithms) {
      try {
        return KeyFactory.getInstance(a).generatePrivate(new PKCS8EncodedKeySpec(der));
      } catch (java.security.GeneralSecurityException e) {
        // not this algorithm
      }
    }
    throw new TlsException(file + ": not an RSA or EC private key smbgw can read");
  }

  /** The AlgorithmIdentifier of rsaEncryption (1.2.840.113549.1.1.1) with NULL parameters, DER. */
  private static final byte[] RSA_ALGORITHM = {0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86,
      (byte) 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};

  /**
   * A PKCS#1 RSAPrivateKey wrapped as PKCS#8's PrivateKeyInfo (RFC 5208: version 0, the RSA
   * algorithm, the PKCS#1 key as an octet string), which the JDK reads. The key itself is not
   * parsed here; the JDK checks it.
   */
  static byte[] rsaPkcs1ToPkcs8(byte[] pkcs1) {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.writeBytes(new byte[] {0x02, 0x01, 0x00});
    body.writeBytes(RSA_ALGORITHM);
    body.write(0x04);
    body.writeBytes(length(pkcs1.length));
    body.writeBytes(pkcs1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    out.writeBytes(length(body.size()));
    out.writeBytes(body.toByteArray());
    return out.toByteArray();
  }

  /** A DER length: one byte below 128, else 0x80 + the count of big-endian bytes that follow. */
  private static byte[] length(int n) {
    if (n < 128) {
      return new byte[] {(byte) n};
    }
    int bytes = n > 0xffffff ? 4 : n > 0xffff ? 3 : n > 0xff ? 2 : 1;
    byte[] out = new byte[bytes + 1];
    out[0] = (byte) (0x80 | bytes);
    for (int i = 0; i < bytes; i++) {
      out[bytes - i] = (byte) (n >>> (8 * i));
    }
    return out;
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
}
