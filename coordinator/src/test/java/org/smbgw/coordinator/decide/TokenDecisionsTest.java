package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.auth.Tokens;
import org.smbgw.proto.v1.CreateTokenRequest;
import org.smbgw.proto.v1.CreateTokenResponse;
import org.smbgw.proto.v1.RevokeTokenRequest;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.TokenRecord;

/** Tokens made and revoked as pure decisions: only the hash is written, the secret only answered. */
class TokenDecisionsTest {
  private static final Context AT = new Context(3, 1_700_000_000_000L);

  @Test
  void aNewTokenIsWrittenAsItsHashAndAnsweredOnce() {
    String secret = Tokens.mint("ci");
    Change<CreateTokenResponse> c = TokenDecisions.create(new Cluster().snap(), AT,
        CreateTokenRequest.newBuilder().setName("ci").setRole(Role.ROLE_OPERATOR).build(), n -> secret, "token root");
    assertEquals(List.of("create /smbgw/v1/tokens/ci"), Cluster.writes(c));
    TokenRecord written = Cluster.written(c, "/smbgw/v1/tokens/ci");
    assertArrayEquals(Tokens.sha256(secret), written.getSecretSha256().toByteArray());
    assertFalse(written.toString().contains(secret.substring(secret.indexOf('.') + 1)), "the secret is not stored");
    assertEquals(secret, c.reply().getSecret());
    assertEquals("token root", c.reply().getToken().getCreatedBy());
    assertEquals(Role.ROLE_OPERATOR, c.reply().getToken().getRole());
    assertEquals("token.created", c.events().get(0).kind());
    assertFalse(c.events().get(0).message().contains(secret), "nor put in an event");
  }

  @Test
  void aBadNameOrNoRoleIsRefusedNamingTheFieldAndAnExistingNameIsNotReplaced() {
    InvalidSpecException bad = assertThrows(InvalidSpecException.class, () -> TokenDecisions.create(new Cluster().snap(), AT,
        CreateTokenRequest.newBuilder().setName("Not.Ok").build(), Tokens::mint, "x"));
    assertTrue(bad.getMessage().contains("name") && bad.getMessage().contains("role"), bad.getMessage());
    StatusRuntimeException exists = assertThrows(StatusRuntimeException.class, () -> TokenDecisions.create(
        new Cluster().token("ci", Role.ROLE_VIEWER).snap(), AT,
        CreateTokenRequest.newBuilder().setName("ci").setRole(Role.ROLE_ADMIN).build(), Tokens::mint, "x"));
    assertEquals(Status.Code.ALREADY_EXISTS, exists.getStatus().getCode());
  }

  @Test
  void revokingDeletesTheRecordItWasDecidedOnButNeverTheLastAdminTokenAndAnUnknownOneIsNotFound() {
    Change<?> c = TokenDecisions.revoke(new Cluster().token("ci", Role.ROLE_VIEWER).snap(),
        RevokeTokenRequest.newBuilder().setName("ci").build(), "token root");
    assertEquals(List.of("delete /smbgw/v1/tokens/ci@" + Cluster.V), Cluster.writes(c));
    assertEquals(Status.Code.FAILED_PRECONDITION, assertThrows(StatusRuntimeException.class, () -> TokenDecisions.revoke(
        new Cluster().token("root", Role.ROLE_ADMIN).token("ci", Role.ROLE_VIEWER).snap(),
        RevokeTokenRequest.newBuilder().setName("root").build(), "x")).getStatus().getCode(), "not the last admin token");
    assertEquals(List.of("delete /smbgw/v1/tokens/root@" + Cluster.V), Cluster.writes(TokenDecisions.revoke(
        new Cluster().token("root", Role.ROLE_ADMIN).token("ops", Role.ROLE_ADMIN).snap(),
        RevokeTokenRequest.newBuilder().setName("root").build(), "x")), "one of two may go");
    assertEquals(Status.Code.NOT_FOUND, assertThrows(StatusRuntimeException.class, () -> TokenDecisions.revoke(
        new Cluster().snap(), RevokeTokenRequest.newBuilder().setName("ci").build(), "x")).getStatus().getCode());
  }
}
