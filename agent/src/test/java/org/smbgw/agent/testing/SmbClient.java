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
    return run(java.util.List.of("-m", "SMB3"), share, user, password, commands);
  }

  /** The same with these smbclient options instead of {@code -m SMB3} (for example {@code -m SMB2}). */
  public CommandResult run(java.util.List<String> options, String share, String user, String password, String commands)
      throws Exception {
    Path auth = dir.resolve("auth-" + user);
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("smbclient", "//" + host + "/" + share,
        "-p", Integer.toString(port), "-A", auth.toString()));
    argv.addAll(options);
    argv.addAll(java.util.List.of("-c", commands));
    return runner.runAllowingFailure(Command.of(argv));
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
