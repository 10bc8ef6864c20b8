package org.smbgw.common.testing;

import io.grpc.ClientInterceptor;
import io.grpc.stub.MetadataUtils;
import org.smbgw.common.auth.Tokens;

/**
 * Administrators' tokens for test clusters: a fixed admin token that every test cluster is given
 * (recorded with {@code LocalTokens.grant}), its file, and what puts a token on calls.
 */
public final class TestTokens {
  /** The admin token of every test cluster. */
  public static final String ADMIN = "test-admin." + "T".repeat(43);

  private TestTokens() {}

  /** Writes {@code token} to a new file {@code file} only its owner may read, as the CLI wants it. */
  public static java.nio.file.Path file(java.nio.file.Path file, String token) throws java.io.IOException {
    java.nio.file.Files.deleteIfExists(file);
    java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
        java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    java.nio.file.Files.writeString(file, token + "\n");
    return file;
  }

  /** Puts {@code token} on every call. */
  public static ClientInterceptor bearer(String token) {
    return MetadataUtils.newAttachHeadersInterceptor(Tokens.headers(token));
  }
}
