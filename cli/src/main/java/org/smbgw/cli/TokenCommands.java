package org.smbgw.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.common.auth.Tokens;
import org.smbgw.proto.v1.CreateTokenRequest;
import org.smbgw.proto.v1.CreateTokenResponse;
import org.smbgw.proto.v1.ListTokensRequest;
import org.smbgw.proto.v1.ListTokensResponse;
import org.smbgw.proto.v1.RevokeTokenRequest;
import org.smbgw.proto.v1.RevokeTokenResponse;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.Token;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code smbgw token ...}: administrators' tokens (role admin). A token is shown once, when it is
 * made; the coordinators keep only its hash.
 */
@Command(name = "token", description = "Manage administrators' tokens (viewer, operator, admin).",
    subcommands = {TokenCommands.Create.class, TokenCommands.ListCmd.class, TokenCommands.Revoke.class})
final class TokenCommands {
  @ParentCommand
  Smbgw root;

  @Command(name = "create", description = "Make a token and print it, once: keep it in a file only you can read, "
      + "and point --token-file or $SMBGW_TOKEN_FILE at it.")
  static final class Create implements Callable<Integer> {
    @ParentCommand
    TokenCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = "--name", required = true, description = "The token's name: who or what uses it.")
    String name;
    @Option(names = "--role", required = true, description = "viewer, operator or admin.")
    String role;

    @Override
    public Integer call() {
      List<org.smbgw.common.Violation> bad = new java.util.ArrayList<>();
      Role r = Tokens.role("--role", role, bad);
      org.smbgw.common.InvalidSpecException.throwIfAny(bad);
      return parent.root.show(spec, admin -> admin.createToken(CreateTokenRequest.newBuilder().setName(name).setRole(r)
          .build()), List.of("NAME", "ROLE", "TOKEN"),
          (CreateTokenResponse t) -> List.of(List.of(t.getToken().getName(), Tokens.roleName(t.getToken().getRole()), t.getSecret())));
    }
  }

  @Command(name = "list", description = "List tokens (never their secrets).")
  static final class ListCmd implements Callable<Integer> {
    @ParentCommand
    TokenCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.listTokens(ListTokensRequest.getDefaultInstance()),
          List.of("NAME", "ROLE", "CREATED", "BY"), (ListTokensResponse r) -> r.getTokensList().stream()
              .map((Token t) -> List.of(t.getName(), Tokens.roleName(t.getRole()), Instant.ofEpochMilli(t.getCreatedAtMillis()).toString(),
                  t.getCreatedBy())).toList());
    }
  }

  @Command(name = "revoke", description = "Revoke a token: calls with it are refused from now on.")
  static final class Revoke implements Callable<Integer> {
    @ParentCommand
    TokenCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "The token's name.")
    String name;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.revokeToken(RevokeTokenRequest.newBuilder().setName(name).build()),
          List.of("REVOKED"), (RevokeTokenResponse r) -> List.of(List.of(r.getName())));
    }
  }
}
