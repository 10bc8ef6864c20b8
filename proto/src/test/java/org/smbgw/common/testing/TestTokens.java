package org.smbgw.common.testing;

import com.google.protobuf.ByteString;
import io.grpc.ClientInterceptor;
import io.grpc.stub.MetadataUtils;
import org.smbgw.common.auth.Tokens;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.Token;
import org.smbgw.proto.v1.TokenRecord;

/**
 * Administrators' tokens for test clusters: a fixed admin token that every test cluster is given
 * (written to ZooKeeper as the records coordinators keep), and what puts a token on calls.
 */
public final class TestTokens {
  /** The admin token of every test cluster. */
  public static final String ADMIN = "test-admin." + "T".repeat(43);

  private TestTokens() {}

  /** The record a coordinator keeps for {@code token}, with {@code role}. */
  public static TokenRecord record(String token, Role role) {
    return TokenRecord.newBuilder()
        .setToken(Token.newBuilder().setName(Tokens.nameOf(token).orElseThrow()).setRole(role).setCreatedBy("test"))
        .setSecretSha256(ByteString.copyFrom(Tokens.sha256(token))).build();
  }

  /** Puts {@code token} on every call. */
  public static ClientInterceptor bearer(String token) {
    return MetadataUtils.newAttachHeadersInterceptor(Tokens.headers(token));
  }
}
