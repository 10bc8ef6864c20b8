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

  /**
   * smbcacls on {@code path} in {@code share} as {@code user} with {@code args} (none: show the
   * ACL); never throws on failure. smbcacls always connects to port 445 (Samba 4.17 reads no port
   * option), so the server must listen there.
   */
  public CommandResult cacls(String share, String path, String user, String password, String... args) throws Exception {
    if (port != 445) {
      throw new IllegalStateException("smbcacls connects to port 445 only; this server listens on " + port);
    }
    Path auth = dir.resolve("auth-" + user);
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    java.util.List<String> argv = new java.util.ArrayList<>(java.util.List.of("smbcacls", "//" + host + "/" + share, path,
        "-A", auth.toString()));
    argv.addAll(java.util.List.of(args));
    return runner.runAllowingFailure(Command.of(argv));
  }

  /**
   * An interactive smbclient holding one SMB session on {@code share}, as a person at a client
   * would: commands go one by one down the same connection.
   */
  public Session open(String share, String user, String password) throws Exception {
    Path auth = dir.resolve("auth-" + user);
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    Process p = new ProcessBuilder("smbclient", "//" + host + "/" + share, "-p", Integer.toString(port),
        "-A", auth.toString(), "-m", "SMB3").redirectErrorStream(true).start();
    return new Session(p);
  }

  /** One smbclient process and everything it printed. */
  public static final class Session implements AutoCloseable {
    private final Process process;
    private final StringBuffer printed = new StringBuffer();
    private final java.io.Writer in;

    Session(Process process) {
      this.process = process;
      this.in = new java.io.OutputStreamWriter(process.getOutputStream(), java.nio.charset.StandardCharsets.UTF_8);
      Thread reader = new Thread(() -> {
        try (var out = process.getInputStream()) {
          byte[] buf = new byte[4096];
          for (int n; (n = out.read(buf)) > 0; ) {
            printed.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.UTF_8));
          }
        } catch (java.io.IOException e) {
          // the process ended
        }
      }, "smbclient-output");
      reader.setDaemon(true);
      reader.start();
    }

    /**
     * Sends one command and returns what it printed, read until {@code done} appears or an
     * NT_STATUS error does; on timeout, what was printed. One line at a time: smbclient reads its
     * input through stdio but waits on the descriptor, so a second line sent with the first would
     * sit in its buffer unread.
     */
    public String command(String command, String done, java.time.Duration timeout) throws Exception {
      int from = printed.length();
      in.write(command + "\n");
      in.flush();
      long deadline = System.nanoTime() + TestTimeouts.scaled(timeout).toNanos();
      while (System.nanoTime() < deadline && process.isAlive() && printed.indexOf(done, from) < 0
          && printed.indexOf("NT_STATUS", from) < 0) {
        Thread.sleep(20);
      }
      return printed.substring(from);
    }

    public boolean alive() {
      return process.isAlive();
    }

    @Override
    public void close() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
    }
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
