package org.smbgw.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.smbgw.common.tls.Pki;
import org.smbgw.common.tls.TlsConfig;
import org.smbgw.common.tls.TlsException;
import org.smbgw.common.tls.TlsFiles;

/**
 * A throwaway cluster CA in a temporary directory, made by the same code as {@code smbgw certs},
 * with a certificate per node on demand ({@code <dir>/<node>/}). Closing it deletes the directory.
 */
public final class TestPki implements AutoCloseable {
  private final Path dir;
  private final Pki pki;

  private TestPki(Path dir) {
    this.dir = dir;
    this.pki = new Pki(dir.resolve("ca"), Clock.systemUTC());
  }

  public static TestPki create() {
    try {
      TestPki t = new TestPki(Files.createTempDirectory("smbgw-pki"));
      t.pki.init("test", Duration.ofDays(2));
      return t;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (TlsException e) {
      throw new IllegalStateException(e);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The CA certificate every node of this PKI trusts. */
  public Path ca() {
    return pki.dir().resolve(Pki.CA_CERT);
  }

  public Pki pki() {
    return pki;
  }

  /** Issues (once) {@code node}'s certificate, covering also {@code addresses} and loopback; its files. */
  public TlsConfig node(String node, String... addresses) {
    Path out = dir.resolve(node);
    if (!Files.exists(out.resolve(Pki.NODE_CERT))) {
      try {
        pki.issue(node, List.of(addresses), Duration.ofDays(1), out);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (TlsException e) {
        throw new IllegalStateException(e);
      }
    }
    return TlsConfig.pki(out);
  }

  /** {@code node}'s credentials, loaded. */
  public TlsFiles files(String node, String... addresses) {
    try {
      return TlsFiles.node(node(node, addresses));
    } catch (TlsException e) {
      throw new IllegalStateException(e);
    }
  }

  /** A client's that presents no certificate (the CLI's). */
  public TlsFiles client() {
    try {
      return TlsFiles.trustOnly(ca());
    } catch (TlsException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
