package org.smbgw.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/**
 * A network namespace of the test's own in which 127.0.0.1:445 reaches a sandbox smbd on a high
 * port of the host's loopback, for clients that only speak to port 445 (smbcacls has no port
 * option). Two socat processes relay through a Unix socket in a private directory (file systems
 * are shared across network namespaces); no address outside loopback is involved. Everything is
 * removed on close.
 */
public final class Port445Namespace implements AutoCloseable {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      TestTimeouts.seconds(60));
  private final String name = "smbgwacl" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
  private final Path dir;
  private final List<Process> relays = new ArrayList<>();
  private boolean created;

  public Port445Namespace(int port) throws Exception {
    dir = Files.createTempDirectory("smbgw-445-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
    try {
      Path socket = dir.resolve("s");
      runner.run(Command.of("ip", "netns", "add", name));
      created = true;
      runner.run(Command.of("ip", "-n", name, "link", "set", "lo", "up"));
      relays.add(runner.start(Command.of("socat", "UNIX-LISTEN:" + socket + ",fork",
          "TCP:127.0.0.1:" + port), dir.resolve("host.log")));
      relays.add(runner.start(Command.of("ip", "netns", "exec", name, "socat",
          "TCP-LISTEN:445,bind=127.0.0.1,fork,reuseaddr", "UNIX-CONNECT:" + socket), dir.resolve("ns.log")));
      Eventually.until(java.time.Duration.ofSeconds(10), () -> Files.exists(socket) && run(List.of("bash", "-c",
          "exec 3<>/dev/tcp/127.0.0.1/445")).succeeded(), ok -> ok);
    } catch (Exception e) {
      close();
      throw e;
    }
  }

  /** Runs {@code argv} inside the namespace; never throws on a non-zero exit. */
  public CommandResult run(List<String> argv) throws Exception {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", name));
    all.addAll(argv);
    return runner.runAllowingFailure(Command.of(all));
  }

  /** A 0600 authentication file for Samba's clients ({@code -A}), in this object's private directory. */
  public Path authFile(String user, String password) throws Exception {
    Path auth = dir.resolve("auth-" + user);
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    return auth;
  }

  @Override
  public void close() throws Exception {
    for (Process p : relays) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
      p.waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    if (created) {
      runner.runAllowingFailure(Command.of("ip", "netns", "del", name));
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    runner.close();
  }
}
