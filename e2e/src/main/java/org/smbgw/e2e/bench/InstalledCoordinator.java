package org.smbgw.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.testing.FreePorts;

/**
 * The installed coordinator as an administrator brings up a cluster of one: a PKI made with the
 * installed {@code smbgw certs}, {@code /usr/bin/smbgw-coordinator run} in the environment systemd
 * gives a unit (single node, embedded ZooKeeper, loopback ports), and the first admin token minted
 * with the installed {@code create-token}. Stopped by {@link #close}.
 */
public final class InstalledCoordinator implements AutoCloseable {
  private final CommandRunner runner;
  private final Path dir;
  private final int port;
  private final Process process;
  private final Path token;

  /**
   * Starts it in {@code dir} and waits (at most two minutes) until a token is minted and
   * {@code smbgw status} names this replica as the leader.
   *
   * @throws IllegalStateException saying where its log is when it does not get there
   */
  public InstalledCoordinator(CommandRunner runner, Path dir) throws Exception {
    this.runner = runner;
    this.dir = dir;
    Files.createDirectories(dir);
    Path pki = dir.resolve("pki");
    runner.run(Command.of("/usr/bin/smbgw", "certs", "init", "--dir", pki.toString()));
    runner.run(Command.of("/usr/bin/smbgw", "certs", "issue", "coordinator", "--dir", pki.toString()));
    int[] ports = FreePorts.distinct(3); // gRPC, the embedded ZooKeeper, metrics
    port = ports[0];
    Path config = dir.resolve("coordinator.yaml");
    Files.writeString(config, "listen: 127.0.0.1:" + port + "\nstateDir: " + dir.resolve("state")
        + "\nsingleNode: true\nembeddedZooKeeperPort: " + ports[1] + "\nmetricsListen: \"127.0.0.1:"
        + ports[2] + "\"\ntls: {pki: " + pki + ", pveRoot: " + dir.resolve("no-pve") + "}\n");
    process = runner.start(PackageBench.asUnit("/usr/bin/smbgw-coordinator", "run", "-c", config.toString()),
        dir.resolve("coordinator.log"));
    token = dir.resolve("token");
    try {
      // The first admin token, as root mints it on a coordinator node (once the state exists).
      Command mint = Command.of("/usr/bin/smbgw-coordinator", "create-token", "-c", config.toString(), "--out",
          token.toString());
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (!Files.exists(token) && !runner.runAllowingFailure(mint).succeeded() && System.nanoTime() < deadline) {
        Thread.sleep(500);
      }
      CommandResult status = runner.runAllowingFailure(cli("status"));
      while (!status.stdout().contains(leaderLine()) && System.nanoTime() < deadline) {
        Thread.sleep(500);
        status = runner.runAllowingFailure(cli("status"));
      }
      if (!status.stdout().contains(leaderLine())) {
        throw new IllegalStateException("the installed coordinator did not answer within 2 minutes: "
            + status.stderr().strip() + " (" + dir.resolve("coordinator.log") + ")");
      }
    } catch (Exception e) {
      PackageBench.stop(process);
      throw e;
    }
  }

  /** {@code /usr/bin/smbgw} against this coordinator, with its CA and token, then {@code args}. */
  public Command cli(String... args) {
    List<String> argv = new ArrayList<>(List.of("/usr/bin/smbgw", "--coordinator", "127.0.0.1:" + port, "--ca",
        dir.resolve("pki").resolve("ca.pem").toString(), "--token-file", token.toString()));
    argv.addAll(List.of(args));
    return Command.of(argv);
  }

  /** The line {@code smbgw status} shows once this replica leads ("leader (none)" before). */
  public String leaderLine() {
    return "leader        " + address();
  }

  public String address() {
    return "127.0.0.1:" + port;
  }

  @Override
  public void close() throws InterruptedException {
    PackageBench.stop(process);
  }
}
