package org.smbgw.common.auth;

import io.grpc.Metadata;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.smbgw.common.Text;
import org.smbgw.common.Violation;

/**
 * Administrators' tokens as both sides see them (DESIGN section 6). A token is {@code NAME.SECRET}:
 * the name says which record to check it against, the secret is 32 random bytes in unpadded
 * base64url. Only the SHA-256 of the whole token is stored; a secret of 256 random bits needs no
 * slow hash. Calls carry it as {@code authorization: Bearer NAME.SECRET}.
 */
public final class Tokens {
  public static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  public static final String BEARER = "Bearer ";
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
  private static final Pattern TOKEN = Pattern.compile("([a-z0-9][a-z0-9_-]{0,31})\\.([A-Za-z0-9_-]{43})");
  /** Made on first use: seeding it is work a command line that only carries a token never needs (issue 16). */
  private static final class Random {
    static final SecureRandom INSTANCE = new SecureRandom();
  }

  private Tokens() {}

  /** A token name: 1 to 32 characters of a-z, 0-9, '_' and '-', starting with a letter or digit. */
  public static void validateName(String field, String name, List<Violation> out) {
    if (name == null || !NAME.matcher(name).matches()) {
      out.add(new Violation(field, "a token name is 1 to 32 characters of a-z, 0-9, '_' and '-', starting with a "
          + "letter or digit (got " + Text.quote(name) + ")"));
    }
  }

  private static final List<org.smbgw.proto.v1.Role> ROLES = List.of(org.smbgw.proto.v1.Role.ROLE_VIEWER,
      org.smbgw.proto.v1.Role.ROLE_OPERATOR, org.smbgw.proto.v1.Role.ROLE_ADMIN);

  /** "viewer", "operator", "admin"; "none" for a record without a role. */
  public static String roleName(org.smbgw.proto.v1.Role r) {
    return ROLES.contains(r) ? r.name().substring("ROLE_".length()).toLowerCase(java.util.Locale.ROOT) : "none";
  }

  /** The role {@code text} names, or a violation of {@code field} (and ROLE_UNSPECIFIED). */
  public static org.smbgw.proto.v1.Role role(String field, String text, List<Violation> out) {
    for (org.smbgw.proto.v1.Role r : ROLES) {
      if (roleName(r).equals(text)) {
        return r;
      }
    }
    out.add(new Violation(field, "one of viewer, operator, admin (got " + Text.quote(text) + ")"));
    return org.smbgw.proto.v1.Role.ROLE_UNSPECIFIED;
  }

  /** Whether {@code r} is one of the three roles. */
  public static boolean isRole(org.smbgw.proto.v1.Role r) {
    return ROLES.contains(r);
  }

  /** A new token for {@code name}, which must be valid. */
  public static String mint(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("not a token name: " + name);
    }
    byte[] secret = new byte[32];
    Random.INSTANCE.nextBytes(secret);
    return name + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
  }

  /** The name a token claims, if it has the shape of one. */
  public static Optional<String> nameOf(String token) {
    if (token == null) {
      return Optional.empty();
    }
    var m = TOKEN.matcher(token);
    return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
  }

  /** What is stored of a token. */
  public static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Whether {@code token} is the one whose hash is {@code stored}, in time that does not depend on where they differ. */
  public static boolean matches(String token, byte[] stored) {
    return MessageDigest.isEqual(sha256(token), stored);
  }

  /** The headers that carry {@code token}. */
  public static Metadata headers(String token) {
    Metadata m = new Metadata();
    m.put(AUTHORIZATION, BEARER + token);
    return m;
  }

  /** The token a call's headers carry, if any (whatever its shape). */
  public static Optional<String> from(Metadata headers) {
    String v = headers.get(AUTHORIZATION);
    return v != null && v.startsWith(BEARER) ? Optional.of(v.substring(BEARER.length()).strip()) : Optional.empty();
  }
}
