package org.smbgw.agent;

import com.codahale.metrics.MetricRegistry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.smbgw.agent.config.AgentConfig;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.net.HeldAddresses;
import org.smbgw.agent.samba.SambaConfig;
import org.smbgw.agent.samba.SambaTools;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.NtHash;
import org.smbgw.common.SdNotify;
import org.smbgw.common.Settings;
import org.smbgw.common.Watchdog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code smbgw-agent}: runs the node agent, or helps write its desired-state file. */
@Command(name = "smbgw-agent", mixinStandardHelpOptions = true, version = "smbgw-agent 0.1.0",
    description = "The smbgw node agent.", subcommands = {AgentMain.Run.class, AgentMain.CheckConfig.class, AgentMain.ReleaseAddresses.class,
        AgentMain.UnhookSamba.class, AgentMain.Hash.class},
    footer = {"", ExitCodes.SUMMARY})
public final class AgentMain {
  private static final int OK = ExitCodes.OK;
  private static final int FAILED = ExitCodes.OTHER;
  private static final int USAGE = ExitCodes.USAGE;
  private static final int INVALID = ExitCodes.INVALID;

  public static void main(String[] args) {
    org.smbgw.common.Logging.start();
    System.exit(new CommandLine(new AgentMain()).execute(args));
  }

  @Command(name = "run", description = "Serve the shares of the desired-state file until stopped.")
  static final class Run implements Callable<Integer> {
    @Mixin
    ConfigFile configFile;

    @Option(names = "--once", description = "Run one reconcile pass and exit: 0 when converged, 1 otherwise.")
    boolean once;

    @Override
    public Integer call() throws Exception {
      AgentConfig c;
      try {
        c = AgentConfig.load(configFile.config);
      } catch (InvalidSpecException e) {
        System.err.println("smbgw-agent: " + e.getMessage());
        return INVALID;
      }
      org.smbgw.common.Logging.use(c.logFormat());
      org.smbgw.common.Jna.unpackUnder(c.stateDir());
      Agent agent;
      try {
        agent = new Agent(c, new MetricRegistry());
      } catch (InvalidSpecException e) { // cluster mode's certificate, found unusable
        System.err.println("smbgw-agent: " + e.inFile(configFile.config).getMessage());
        return INVALID;
      }
      if (once) {
        try (agent) {
          agent.start(false);
          Reconciler.PassReport first = agent.reconcileNow();
          Reconciler.PassReport second = agent.reconcileNow();
          Reconciler.errors(second).forEach((k, v) -> System.err.println(k + ": " + v));
          boolean converged = first != null && second != null && second.plan().isEmpty()
              && second.outcome().ok();
          return converged ? OK : FAILED;
        }
      }
      Watchdog systemd = new Watchdog(SdNotify.fromEnvironment(), agent::ready, agent::alive,
          () -> (agent.ready() ? "serving: " : "starting: ") + agent.statusLine());
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        systemd.stopping("stopping: letting go of floating addresses, stopping the loops");
        agent.close();
        stop.countDown();
      }, "smbgw-shutdown"));
      agent.start(true);
      systemd.start(Duration.ofMillis(500), SdNotify.watchdogMicros(System.getenv()));
      stop.await();
      return OK;
    }
  }

  @Command(name = "check-config", description = "Check a configuration file: every key known, every value valid. "
      + "Prints the problems, each naming its key.")
  static final class CheckConfig implements Callable<Integer> {
    @Parameters(index = "0", defaultValue = "/etc/smbgw/agent.yaml", description = "File to check (default: ${DEFAULT-VALUE}).")
    Path config;

    @Override
    public Integer call() {
      return Settings.check("smbgw-agent", config, f -> {
        AgentConfig loaded = AgentConfig.load(f);
        if (!loaded.coordinators().isEmpty()) {
          try {
            Agent.credentials(loaded); // cluster mode: its certificate, key and CA must be usable
          } catch (InvalidSpecException e) {
            throw e.inFile(f);
          }
        }
        return List.of();
      }, System.out, System.err);
    }
  }

  /** The {@code -c FILE} option of the commands that read the agent's configuration. */
  static final class ConfigFile {
    @Option(names = {"-c", "--config"}, defaultValue = "/etc/smbgw/agent.yaml",
        description = "Agent configuration (default: ${DEFAULT-VALUE}).")
    Path config;

    /**
     * The configuration for the package's helpers (release-addresses, unhook-samba), which must
     * work even when the file became invalid: then the defaults, with a warning.
     */
    AgentConfig orDefaults() {
      try {
        return AgentConfig.load(config);
      } catch (InvalidSpecException | java.io.IOException e) {
        System.err.println("smbgw-agent: " + config + " unusable (" + e.getMessage() + "); using the defaults");
        return AgentConfig.empty().withDefaults();
      }
    }
  }

  @Command(name = "release-addresses", description = "Take down the floating addresses the agent held when it "
      + "stopped (the unit's ExecStopPost). The kernel drops them within the lease anyway; this is at once.")
  static final class ReleaseAddresses implements Callable<Integer> {
    @Mixin
    ConfigFile configFile;

    @Override
    public Integer call() throws Exception {
      AgentConfig c = configFile.orDefaults();
      try (CommandRunner runner = new CommandRunner(new AgentMetrics(new MetricRegistry()), Duration.ofSeconds(10))) {
        List<String> problems = new HeldAddresses(Agent.heldAddressesFile(c)).release(runner);
        problems.forEach(p -> System.err.println("smbgw-agent: " + p));
        return problems.isEmpty() ? OK : FAILED;
      }
    }
  }

  @Command(name = "unhook-samba", description = "Take smbgw's include lines (and their comments) out of smb.conf and "
      + "tell smbd to reload: smbgw's shares are no longer served; their data stays. Run when the package is removed.")
  static final class UnhookSamba implements Callable<Integer> {
    @Mixin
    ConfigFile configFile;

    @Override
    public Integer call() throws Exception {
      AgentConfig c = configFile.orDefaults();
      AgentMetrics metrics = new AgentMetrics(new MetricRegistry());
      try (CommandRunner runner = new CommandRunner(metrics, Duration.ofSeconds(30))) {
        SambaTools tools = SambaTools.defaults();
        if (new SambaConfig(runner, metrics, c.samba().config(), c.samba().include(), tools).removeIncludeFromSmbConf()) {
          System.out.println("smbgw-agent: removed smbgw's include lines from " + c.samba().config());
          runner.runAllowingFailure(org.smbgw.agent.exec.Command.of(tools.smbcontrol(), "smbd", "reload-config"));
        }
        return OK;
      }
    }
  }

  @Command(name = "nt-hash", description = "Read a password from stdin and print its NT hash, "
      + "for the ntHash field of a User resource.")
  static final class Hash implements Callable<Integer> {
    @Override
    public Integer call() throws Exception {
      char[] password;
      if (System.console() != null) {
        password = System.console().readPassword("password: ");
      } else {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        password = line == null ? new char[0] : line.toCharArray();
      }
      if (password == null || password.length == 0) {
        System.err.println("smbgw-agent: no password given on stdin");
        return USAGE;
      }
      System.out.println(NtHash.of(password));
      Arrays.fill(password, '\0');
      return OK;
    }
  }
}
