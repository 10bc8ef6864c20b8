package org.smbgw.coordinator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Logging;
import org.smbgw.common.SdNotify;
import org.smbgw.common.Settings;
import org.smbgw.common.Watchdog;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code smbgw-coordinator run | check-config}: one coordinator replica, until stopped. */
@Command(name = "smbgw-coordinator", mixinStandardHelpOptions = true, version = "smbgw-coordinator 0.1.0",
    description = "The smbgw coordinator.", subcommands = {CoordinatorMain.Run.class, CoordinatorMain.CheckConfig.class, CoordinatorMain.CreateToken.class,
        KeyCommands.ClusterKeys.class, KeyCommands.Credential.class},
    footer = {"", ExitCodes.SUMMARY})
public final class CoordinatorMain {
  public static void main(String[] args) {
    Logging.start();
    System.exit(new CommandLine(new CoordinatorMain()).execute(args));
  }

  /** The file's settings, or its defaults when it does not exist. */
  static CoordinatorConfig load(Path file) throws IOException {
    return Files.exists(file) ? CoordinatorConfig.load(file) : CoordinatorConfig.defaults().withAdvertise();
  }

  @Command(name = "run", description = "Run a coordinator replica until stopped.")
  static final class Run implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, defaultValue = "/etc/smbgw/coordinator.yaml",
        description = "Configuration (default: ${DEFAULT-VALUE}; defaults apply when it does not exist).")
    Path config;

    @Override
    public Integer call() throws Exception {
      CoordinatorConfig c;
      try {
        c = load(config);
      } catch (InvalidSpecException e) {
        System.err.println("smbgw-coordinator: " + e.getMessage());
        return ExitCodes.INVALID;
      }
      Logging.use(c.logFormat());
      org.smbgw.common.Jna.unpackUnder(c.stateDir());
      SdNotify notify = SdNotify.fromEnvironment();
      CountDownLatch stop = new CountDownLatch(1);
      Optional<String> missing = c.missing();
      if (missing.isPresent()) {
        // Installed on three nodes and started before anyone configured it: three embedded
        // ZooKeepers would be three clusters. Stay up, do nothing, and say what to set.
        String why = "waiting: " + missing.get() + " in " + config;
        System.err.println("smbgw-coordinator: " + why);
        try (Watchdog waiting = new Watchdog(notify, () -> true, () -> true, () -> why)) {
          Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown, "smbgw-shutdown"));
          waiting.start(Duration.ofSeconds(1), SdNotify.watchdogMicros(System.getenv()));
          stop.await();
        }
        return ExitCodes.OK;
      }
      Coordinator coordinator = new Coordinator(c);
      Watchdog systemd = new Watchdog(notify, coordinator::serving, coordinator::running, coordinator::statusLine);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        systemd.stopping("stopping");
        coordinator.close();
        stop.countDown();
      }, "smbgw-shutdown"));
      try {
        coordinator.start();
      } catch (InvalidSpecException e) {
        System.err.println("smbgw-coordinator: " + e.getMessage());
        coordinator.close();
        return ExitCodes.INVALID;
      }
      systemd.start(Duration.ofSeconds(1), SdNotify.watchdogMicros(System.getenv()));
      System.err.println("smbgw-coordinator serving on " + c.listenAddress() + ":" + c.listenPort());
      stop.await();
      return ExitCodes.OK;
    }
  }

  @Command(name = "check-config", description = "Check a configuration file: every key known, every value valid. "
      + "Prints the problems, each naming its key (exit 4). A file with neither zookeeper nor singleNode is valid "
      + "but makes the replica wait: that is a warning (exit 0).")
  static final class CheckConfig implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "/etc/smbgw/coordinator.yaml", description = "File to check "
        + "(default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
      // Neither zookeeper nor singleNode is a warning, not an error: a fresh install starts and
      // waits, saying what to set (the unit runs this first).
      // TLS files are checked only for a replica that will serve: a waiting one reads none.
      return Settings.check("smbgw-coordinator", config, f -> {
        CoordinatorConfig c = CoordinatorConfig.load(f);
        if (c.missing().isPresent()) {
          return List.of("zookeeper: " + c.missing().get() + "; the replica will wait");
        }
        try {
          org.smbgw.common.tls.TlsFiles.node(c.tls());
        } catch (org.smbgw.common.tls.TlsException e) {
          throw new InvalidSpecException(List.of(new org.smbgw.common.Violation("tls", e.getMessage()))).inFile(f);
        }
        if (!c.makesClusterKey()) {
          org.smbgw.coordinator.zk.ClusterKey.read("clusterKey", c.clusterKey());
        }
        return List.of();
      }, System.out, System.err);
    }
  }

  /** This machine's name, for the record of who made a token. */
  private static String host() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "this node";
    }
  }

  @Command(name = "create-token", description = "Mint an administrator's token on a coordinator node, as root, "
      + "straight into ZooKeeper: the first one after installing, or one to get back in when none is left. It is "
      + "written to --out, readable by root only, and shown nowhere else. Exit 5 when not root, 4 when the name is "
      + "taken or --out exists, 6 when ZooKeeper cannot be reached.")
  static final class CreateToken extends AsRoot {
    @Option(names = "--name", defaultValue = "root", description = "The token's name (default: ${DEFAULT-VALUE}).")
    String name;

    @Option(names = "--role", defaultValue = "admin", description = "viewer, operator or admin (default: ${DEFAULT-VALUE}).")
    String role;

    @Option(names = "--out", defaultValue = "${sys:user.home}/.config/smbgw/token",
        description = "Where to write it, mode 0600; must not exist (default: ${DEFAULT-VALUE}, where smbgw looks).")
    Path out;

    @Override
    String needsRoot() {
      return "create-token needs root (it writes to ZooKeeper as a coordinator does)";
    }

    @Override
    int run(CoordinatorConfig c) throws Exception {
      try {
        LocalTokens.create(c, name, role, out, "local root on " + host());
      } catch (LocalTokens.Unreachable e) {
        System.err.println("smbgw-coordinator: " + e.getMessage());
        return ExitCodes.UNREACHABLE;
      }
      System.err.println("smbgw-coordinator: token '" + name + "' (" + role + ") written to " + out);
      return ExitCodes.OK;
    }
  }
}
