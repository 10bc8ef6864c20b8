package org.smbgw.coordinator.decide;

import com.google.protobuf.ByteString;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Violation;
import org.smbgw.common.auth.Tokens;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.CreateTokenRequest;
import org.smbgw.proto.v1.CreateTokenResponse;
import org.smbgw.proto.v1.RevokeTokenRequest;
import org.smbgw.proto.v1.RevokeTokenResponse;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.Token;
import org.smbgw.proto.v1.TokenRecord;

/** Administrators' tokens: created (the secret made by the caller, only its hash kept) and revoked. Pure. */
public final class TokenDecisions {
  private TokenDecisions() {}

  /**
   * @param mint makes the new token, {@code NAME.SECRET}, for a valid name ({@link Tokens#mint}); it
   *     is answered once and stored as its hash
   * @param by who asks, for the record
   */
  public static Change<CreateTokenResponse> create(Snapshot s, Context c, CreateTokenRequest req,
      java.util.function.UnaryOperator<String> mint, String by) {
    List<Violation> v = new ArrayList<>();
    Tokens.validateName("name", req.getName(), v);
    if (!Tokens.isRole(req.getRole())) {
      v.add(new Violation("role", "one of viewer, operator, admin"));
    }
    InvalidSpecException.throwIfAny(v);
    if (s.tokens().containsKey(req.getName())) {
      throw Errors.exists("token '" + req.getName() + "' (revoke it first to replace it)");
    }
    String secret = mint.apply(req.getName());
    if (!Tokens.nameOf(secret).equals(Optional.of(req.getName()))) {
      throw new IllegalArgumentException("a token minted for another name");
    }
    Token token = Token.newBuilder().setName(req.getName()).setRole(req.getRole()).setCreatedAtMillis(c.wallMillis())
        .setCreatedBy(by).build();
    return new Change.Builder()
        .add(new Write.Create(ZkPaths.token(req.getName()), TokenRecord.newBuilder().setToken(token)
            .setSecretSha256(ByteString.copyFrom(Tokens.sha256(secret))).build()))
        .event("token.created", "token/" + req.getName(), Tokens.roleName(req.getRole()) + " token created by " + by)
        .reply(CreateTokenResponse.newBuilder().setToken(token).setSecret(secret).build());
  }

  /**
   * Revokes a token; not the last admin token (without one, only root on a coordinator node could
   * get back in, with smbgw-coordinator create-token).
   */
  public static Change<RevokeTokenResponse> revoke(Snapshot s, RevokeTokenRequest req, String by) {
    Versioned<TokenRecord> existing = Optional.ofNullable(s.tokens().get(req.getName()))
        .orElseThrow(() -> Errors.notFound("token '" + req.getName() + "'"));
    if (existing.value().getToken().getRole() == Role.ROLE_ADMIN && s.tokens().values().stream()
        .filter(t -> t.value().getToken().getRole() == Role.ROLE_ADMIN).count() == 1) {
      throw Errors.precondition("token '" + req.getName() + "' is the last admin token: create another admin token "
          + "first (smbgw token create --role admin)");
    }
    return new Change.Builder().add(new Write.Delete(ZkPaths.token(req.getName()), existing.version()))
        .event("token.revoked", "token/" + req.getName(), "revoked by " + by)
        .reply(RevokeTokenResponse.newBuilder().setName(req.getName()).build());
  }
}
