package org.smbgw.coordinator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code smbgw-coordinator run}: one coordinator replica, until stopped. */
@Command(name = "smbgw-coordinator", mixinStandardHelpOptions = true, version = "smbgw-coordinator 0.1.0",
    description = "The smbgw coordinator.", subcommands = CoordinatorMain.Run.class)
public final class CoordinatorMain {
  public static void main(String[] args) {
    System.exit(new CommandLine(new CoordinatorMain()).execute(args));
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
        c = Files.exists(config) ? CoordinatorConfig.load(config) : CoordinatorConfig.defaults().withAdvertise();
      } catch (InvalidSpecException e) {
        System.err.println("smbgw-coordinator: " + e.getMessage());
        return ExitCodes.INVALID;
      }
      org.smbgw.common.Logging.use(c.logFormat());
      Coordinator coordinator = new Coordinator(c);
      CountDownLatch stop = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        coordinator.close();
        stop.countDown();
      }, "smbgw-shutdown"));
      coordinator.start();
      System.err.println("smbgw-coordinator serving on " + c.listenAddress() + ":" + c.listenPort());
      stop.await();
      return ExitCodes.OK;
    }
  }
}
