package org.smbgw.cli;

import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.Arrays;
import com.google.protobuf.MessageOrBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine;

/**
 * {@code smbgw}: the administrator's command line. This class is the root command alone; {@link
 * Everything} is the whole tree. See {@link #commandLine} for why.
 */
@Command(name = "smbgw", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, version = "smbgw 0.1.0",
    description = "Administer an smbgw cluster.",
    footer = {"", ExitCodes.SUMMARY})
public class Smbgw implements Runnable {
  /** The root command with every command under it: help, man pages, and any line that names none. */
  @Command(subcommands = {ShareCommands.class, NodeCommands.class, VipCommands.class, UserCommands.class,
      ApplyCommands.Apply.class, ApplyCommands.Plan.class, StatusCommand.class, EventsCommand.class,
      CertsCommands.class, TokenCommands.class, AuditCommand.class})
  public static final class Everything extends Smbgw {}

  @Option(names = "--coordinator", scope = ScopeType.INHERIT, split = ",",
      defaultValue = "${env:SMBGW_COORDINATOR:-127.0.0.1:7400}",
      description = "Coordinator replicas to try, host:port[,host:port...] (default: $SMBGW_COORDINATOR or ${DEFAULT-VALUE}).")
  List<String> coordinators;

  @Option(names = "--ca", scope = ScopeType.INHERIT, defaultValue = "${env:SMBGW_CA}",
      description = "The CA certificate coordinators' certificates must come from (default: $SMBGW_CA, else "
          + "/etc/pve/pve-root-ca.pem on a Proxmox node, else /etc/smbgw/pki/ca.pem).")
  java.nio.file.Path ca;

  @Option(names = "--token-file", scope = ScopeType.INHERIT, defaultValue = "${env:SMBGW_TOKEN_FILE}",
      description = "The administrator's token, NAME.SECRET, in a file only its owner may read (default: "
          + "$SMBGW_TOKEN_FILE, else ~/.config/smbgw/token).")
  java.nio.file.Path tokenFile;

  @Option(names = {"-o", "--output"}, scope = ScopeType.INHERIT, defaultValue = "table",
      description = "table, json or yaml (default: ${DEFAULT-VALUE}).")
  Output.Format output;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, defaultValue = "30",
      description = "Seconds to wait for an answer (default: ${DEFAULT-VALUE}).")
  long timeoutSeconds;

  @Spec
  CommandSpec spec;

  /** {@code smbgw} alone, or a group (smbgw share) without its subcommand: a usage error. */
  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "a command is required (see smbgw --help)");
  }

  /**
   * The sequence every simple command is: connect to the replicas, make one call (with the
   * deadline), print the answer as a table, JSON or YAML, and exit 0. Failures leave as exceptions
   * that {@link #run} maps to exit codes.
   */
  <T extends MessageOrBuilder> int show(CommandSpec command, Function<AdminServiceGrpc.AdminServiceBlockingStub, T> call,
      List<String> header, Function<T, List<List<String>>> rows) {
    try (Coordinators c = connect()) {
      T answer = c.call(call);
      Output.print(command.commandLine().getOut(), output, answer, header, rows.apply(answer));
    }
    return ExitCodes.OK;
  }

  Coordinators connect() {
    java.util.Optional<String> token = TokenFile.read(tokenFile);
    Warmup.awaitTransport();
    return new Coordinators(coordinators, timeoutSeconds, ca != null ? ca : org.smbgw.common.tls.TlsConfig.defaultCa(),
        token);
  }

  public static void main(String[] args) {
    startQuickly(named(args));
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  /**
   * What a process that runs a command sets up first (issue 16): picocli's default factory would
   * look for Groovy's closure class, and Netty for SLF4J and Log4j, each a search of the jar, to use
   * none of them; and a command that calls a coordinator has its transport readied meanwhile.
   */
  static void startQuickly(Class<?> command) {
    System.setProperty("picocli.disable.closures", "true");
    io.grpc.netty.shaded.io.netty.util.internal.logging.InternalLoggerFactory.setDefaultFactory(
        io.grpc.netty.shaded.io.netty.util.internal.logging.JdkLoggerFactory.INSTANCE);
    if (command != null && command != CertsCommands.class) {
      Warmup.start();
    }
  }

  /** Runs one command line; what it prints goes to {@code out} and {@code err}. */
  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    CommandLine cl = commandLine(args);
    cl.setOut(out).setErr(err);
    // picocli skips its unmatched-argument check when --help is present: 'smbgw domain --help'
    // would print the top-level help and succeed. An unknown command is a usage error either way.
    cl.setExecutionStrategy(parsed -> {
      if (!parsed.unmatched().isEmpty()) {
        throw new CommandLine.UnmatchedArgumentException(cl, parsed.unmatched());
      }
      return new CommandLine.RunLast().execute(parsed);
    });
    cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
      if (e instanceof StatusRuntimeException s) {
        String d = s.getStatus().getDescription();
        err.println("smbgw: " + (d != null ? d : s.getStatus().getCode().toString()));
        return ExitCodes.of(s.getStatus().getCode());
      }
      if (e instanceof InvalidSpecException i) {
        i.violations().forEach(v -> err.println("smbgw: " + v));
        return ExitCodes.INVALID;
      }
      if (e instanceof UsageError u) {
        err.println("smbgw: " + u.getMessage());
        return ExitCodes.USAGE;
      }
      err.println("smbgw: " + e);
      return ExitCodes.OTHER;
    });
    return cl.execute(args);
  }

  /**
   * The command tree {@code args} needs. Picocli reflects over every command class in a tree as it
   * builds it; for the whole tree that was about 0.6 s of CPU, most of a command's start
   * (issue 16). A line that names a top-level command gets that command's subtree alone, which
   * parses and runs the same; help and version before any command, and lines that name none or
   * an unknown one, get {@link Everything}, so that usage and errors list every command.
   */
  static CommandLine commandLine(String[] args) {
    Class<?> named = named(args);
    CommandLine root;
    if (named == null) {
      root = new CommandLine(new Everything());
    } else {
      root = new CommandLine(new Smbgw());
      root.addSubcommand(named);
    }
    // An option's value may be spelled like a command: 'cd ~/.config/smbgw; smbgw --token-file token status'.
    return root.setAllowSubcommandsAsOptionParameters(true);
  }

  /**
   * The top-level commands by name, as {@link Everything} lists them, and the root's options that
   * take a value: {@link #named} reads these rather than the annotations, whose first reading
   * costs a command's start about 40 ms (issue 16). {@code OneCommandTreeTest} holds them to
   * the annotations.
   */
  static final Map<String, Class<?>> COMMANDS = Map.ofEntries(Map.entry("share", ShareCommands.class),
      Map.entry("node", NodeCommands.class), Map.entry("vip", VipCommands.class), Map.entry("user", UserCommands.class),
      Map.entry("apply", ApplyCommands.Apply.class), Map.entry("plan", ApplyCommands.Plan.class),
      Map.entry("status", StatusCommand.class), Map.entry("events", EventsCommand.class),
      Map.entry("certs", CertsCommands.class), Map.entry("token", TokenCommands.class),
      Map.entry("audit", AuditCommand.class));
  static final Set<String> VALUED_OPTIONS = Set.of("--coordinator", "--ca", "--token-file", "-o", "--output",
      "--timeout");
  private static final Set<String> HELP_OPTIONS = Set.of("-h", "--help", "-V", "--version");

  /** The class of the top-level command {@code args} names, or null. */
  static Class<?> named(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (VALUED_OPTIONS.contains(args[i])) {
        i++; // its value, whatever it is spelled like
      } else if (HELP_OPTIONS.contains(args[i])) {
        return null;
      } else if (!args[i].startsWith("-")) {
        return COMMANDS.get(args[i]);
      }
    }
    return null;
  }

  /** A command line that parses but makes no sense (exit code 2). */
  static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  /** A duration as options write it (90s, 30m, 1h, 2d) in seconds; a usage error naming {@code option} otherwise. */
  static long seconds(String option, String text) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,9})([smhd])").matcher(text);
    if (!m.matches()) {
      throw new UsageError(option + ": a duration is a number with s, m, h or d, for example 1h (got '" + text + "')");
    }
    return Long.parseLong(m.group(1)) * switch (m.group(2)) {
      case "s" -> 1;
      case "m" -> 60;
      case "h" -> 3600;
      default -> 86400;
    };
  }

  static List<String> split(String csv) {
    return csv == null || csv.isBlank() ? List.of() : Arrays.stream(csv.split(",")).map(String::strip)
        .filter(s -> !s.isEmpty()).toList();
  }
}
