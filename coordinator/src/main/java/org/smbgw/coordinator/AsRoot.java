package org.smbgw.coordinator;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import picocli.CommandLine.Option;

/**
 * A command root runs on a coordinator node with this replica's configuration: {@code
 * create-token}, {@code cluster-key init}, {@code zookeeper-credential}. Exit 5 when not root, 4
 * with each broken rule on its own line when the configuration or the command's input is invalid.
 */
abstract class AsRoot implements Callable<Integer> {
  @Option(names = {"-c", "--config"}, defaultValue = "/etc/smbgw/coordinator.yaml",
      description = "This replica's configuration (default: ${DEFAULT-VALUE}).")
  Path config;

  /** The command and why it needs root, for the refusal: "create-token needs root (...)". */
  abstract String needsRoot();

  /** Does the work; an {@link InvalidSpecException} it throws is exit 4. */
  abstract int run(CoordinatorConfig c) throws Exception;

  @Override
  public final Integer call() throws Exception {
    if (!LocalTokens.root()) {
      System.err.println("smbgw-coordinator: " + needsRoot());
      return ExitCodes.DENIED;
    }
    CoordinatorConfig c;
    try {
      c = CoordinatorMain.load(config);
    } catch (InvalidSpecException e) {
      System.err.println("smbgw-coordinator: " + e.getMessage());
      return ExitCodes.INVALID;
    }
    try {
      return run(c);
    } catch (InvalidSpecException e) {
      e.violations().forEach(v -> System.err.println("smbgw-coordinator: " + v));
      return ExitCodes.INVALID;
    }
  }
}
