package org.smbgw.cli;

import java.io.BufferedReader;
import java.io.Console;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.DeleteUserRequest;
import org.smbgw.proto.v1.DeleteUserResponse;
import org.smbgw.proto.v1.ListUsersRequest;
import org.smbgw.proto.v1.ListUsersResponse;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.User;
import org.smbgw.proto.v1.UserSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code smbgw user ...}. Passwords come from a prompt or stdin, never an argument, and never
 * leave this process: only their NT hash is sent.
 */
@Command(name = "user", description = "Manage Samba users.",
    subcommands = {UserCommands.Add.class, UserCommands.Passwd.class, UserCommands.Delete.class, UserCommands.ListCmd.class})
final class UserCommands {
  @ParentCommand
  Smbgw root;

  /** Reads a password: from stdin (one line) when asked or when there is no terminal, else prompting twice. */
  static char[] password(boolean fromStdin) throws Exception {
    Console console = System.console();
    if (fromStdin || console == null) {
      String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      if (line == null || line.isEmpty()) {
        throw new Smbgw.UsageError("no password on stdin");
      }
      return line.toCharArray();
    }
    char[] first = console.readPassword("password: ");
    char[] again = console.readPassword("again: ");
    if (first == null || first.length == 0 || !Arrays.equals(first, again)) {
      throw new Smbgw.UsageError("the passwords were empty or did not match");
    }
    Arrays.fill(again, '\0');
    return first;
  }

  abstract static class Put implements Callable<Integer> {
    @ParentCommand
    UserCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "User name.")
    String name;
    @Option(names = "--password-stdin", description = "Read the password from stdin instead of prompting.")
    boolean stdin;

    abstract PutUserRequest.Builder mode(PutUserRequest.Builder b);

    @Override
    public Integer call() throws Exception {
      char[] pw = password(stdin);
      String hash;
      try {
        hash = NtHash.of(pw);
      } finally {
        Arrays.fill(pw, '\0');
      }
      return parent.root.show(spec, admin -> admin.putUser(mode(PutUserRequest.newBuilder()
          .setSpec(UserSpec.newBuilder().setName(name).setNtHash(hash))).build()), List.of("NAME"),
          (User u) -> List.of(List.of(u.getName())));
    }
  }

  @Command(name = "add", description = "Add a user (fails if it exists).")
  static final class Add extends Put {
    PutUserRequest.Builder mode(PutUserRequest.Builder b) {
      return b.setCreateOnly(true);
    }
  }

  @Command(name = "passwd", description = "Set a user's password (fails if it does not exist).")
  static final class Passwd extends Put {
    PutUserRequest.Builder mode(PutUserRequest.Builder b) {
      return b.setUpdateOnly(true);
    }
  }

  @Command(name = "delete", description = "Delete users.")
  static final class Delete implements Callable<Integer> {
    @ParentCommand
    UserCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(arity = "1..*", description = "User names.")
    List<String> names;
    @Option(names = "--parallel", defaultValue = "1", description = "Delete this many at a time (default: 1).")
    int parallel;

    @Override
    public Integer call() throws Exception {
      if (parallel < 1) {
        throw new Smbgw.UsageError("--parallel must be at least 1");
      }
      try (Coordinators c = parent.root.connect()) {
        List<DeleteUserResponse> done = Batch.run(names, parallel,
            n -> c.call(admin -> admin.deleteUser(DeleteUserRequest.newBuilder().setName(n).build())));
        for (DeleteUserResponse d : done) {
          Output.print(spec.commandLine().getOut(), parent.root.output, d, List.of("DELETED"), List.of(List.of(d.getName())));
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List users.")
  static final class ListCmd implements Callable<Integer> {
    @ParentCommand
    UserCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.listUsers(ListUsersRequest.getDefaultInstance()), List.of("NAME"),
          (ListUsersResponse r) -> r.getUsersList().stream().map(u -> List.of(u.getName())).toList());
    }
  }
}
