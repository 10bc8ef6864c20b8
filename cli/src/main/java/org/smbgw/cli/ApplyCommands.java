package org.smbgw.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.Resources;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.ApplyResponse;
import org.smbgw.proto.v1.ApplyResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw apply -f FILE} and {@code smbgw plan -f FILE}: all or nothing. */
final class ApplyCommands {
  private ApplyCommands() {}

  static int run(Smbgw root, picocli.CommandLine.Model.CommandSpec spec, Path file, boolean dryRun) throws Exception {
    String yaml = file.toString().equals("-") ? new String(System.in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
        : Files.readString(file);
    Resources.ByKind resources = Resources.byKind(Resources.parse(yaml));
    ApplyRequest.Builder req = ApplyRequest.newBuilder().setDryRun(dryRun)
        .addAllShares(resources.shares()).addAllUsers(resources.users()).addAllPurges(resources.purges());
    try (Coordinators c = root.connect()) {
      ApplyResponse r = c.call(admin -> admin.apply(req.build()));
      List<List<String>> rows = new ArrayList<>();
      for (ApplyResult x : r.getResultsList()) {
        rows.add(List.of(x.getKind() + "/" + x.getName(), (dryRun ? "would be " : "") + x.getAction(),
            x.getNode().isEmpty() ? "-" : x.getNode()));
      }
      Output.print(spec.commandLine().getOut(), root.output, r, List.of("RESOURCE", "RESULT", "NODE"), rows);
    }
    return ExitCodes.OK;
  }

  /** What apply and plan share: the file, and whether to change anything. */
  abstract static class FromFile implements Callable<Integer> {
    @ParentCommand
    Smbgw root;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Option(names = {"-f", "--file"}, required = true, description = "YAML file ('-' for stdin).")
    Path file;

    abstract boolean dryRun();

    @Override
    public Integer call() throws Exception {
      return run(root, spec, file, dryRun());
    }
  }

  @Command(name = "apply", description = "Make the cluster match a file of smbgw/v1 resources (all or nothing).")
  static final class Apply extends FromFile {
    boolean dryRun() {
      return false;
    }
  }

  @Command(name = "plan", description = "Show what 'apply' would change, changing nothing.")
  static final class Plan extends FromFile {
    boolean dryRun() {
      return true;
    }
  }
}
