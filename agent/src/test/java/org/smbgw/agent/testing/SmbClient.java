package org.smbgw.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/** The real smbclient against a sandbox smbd; credentials go in a 0600 authentication file. */
public final class SmbClient implements AutoCloseable {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      TestTimeouts.seconds(60));
  private final String host;
  private final int port;
  private final Path dir;

  public SmbClient(String host, int port) throws Exception {
    this.host = host;
    this.port = port;
    this.dir = Files.createTempDirectory("smbgw-client-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
  }

  /** Runs smbclient commands ({@code -c}) on {@code share} as {@code user}; never throws on failure. */
  public CommandResult run(String share, String user, String password, String commands) throws Exception {
    Path auth = dir.resolve("auth-" + user);
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    CommandResult r = runner.runAllowingFailure(Command.of("smbclient", "//" + host + "/" + share,
        "-p", Integer.toString(port), "-A", auth.toString(), "-m", "SMB3", "-c", commands));
    return r;
  }

  public Path localFile(String name) {
    return dir.resolve(name);
  }

  /** All output, stdout and stderr together (smbclient splits its statuses between them). */
  public static String output(CommandResult r) {
    return r.stdout() + r.stderr();
  }

  @Override
  public void close() throws Exception {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    runner.close();
  }
}
