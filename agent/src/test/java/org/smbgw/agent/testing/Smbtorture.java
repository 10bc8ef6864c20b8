package org.smbgw.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/**
 * Samba's conformance suite ({@code smbtorture}, Debian's samba-testsuite) against one share.
 * Each named suite or subtest runs in a process of its own, so results carry their full names
 * ({@code smb2.lock.rw-exclusive}); credentials go in a 0600 authentication file.
 */
public final class Smbtorture implements AutoCloseable {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      TestTimeouts.seconds(600));
  private final Path dir;

  /** Subtests by full name, with smbtorture's whole output for reading failures. */
  public record Result(Set<String> passed, Set<String> failed, String output) {}

  public Smbtorture() throws Exception {
    this.dir = Files.createTempDirectory("smbgw-torture-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwx------")));
  }

  public Result run(String host, int port, String share, String user, String password, List<String> tests)
      throws Exception {
    Path auth = dir.resolve("auth");
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    Set<String> passed = new TreeSet<>();
    Set<String> failed = new TreeSet<>();
    StringBuilder all = new StringBuilder();
    for (String test : tests) {
      CommandResult r = runner.runAllowingFailure(Command.of(List.of("smbtorture", "//" + host + "/" + share,
          "-p", Integer.toString(port), "-A", auth.toString(), test)));
      all.append("### ").append(test).append('\n').append(r.stdout()).append(r.stderr());
      boolean any = false;
      for (String line : r.stdout().split("\n")) {
        int colon = line.indexOf(": ");
        if (colon < 0) {
          continue;
        }
        String verdict = line.substring(0, colon);
        String name = full(test, strip(line.substring(colon + 2)));
        switch (verdict) {
          case "success" -> {
            passed.add(name);
            any = true;
          }
          case "failure", "error" -> {
            failed.add(name);
            any = true;
          }
          default -> { }
        }
      }
      if (!any) {
        failed.add(test); // smbtorture could not even start it (connection refused, a crash)
      }
    }
    return new Result(passed, failed, all.toString());
  }

  /** "rw-exclusive [" (a failure's reason follows on the next lines) to "rw-exclusive". */
  private static String strip(String name) {
    int bracket = name.indexOf(" [");
    return (bracket < 0 ? name : name.substring(0, bracket)).strip();
  }

  /** A subtest's full name: the suite asked for, plus the subtest smbtorture named. */
  static String full(String asked, String reported) {
    String last = asked.substring(asked.lastIndexOf('.') + 1);
    return last.equals(reported) ? asked : asked + "." + reported;
  }

  @Override
  public void close() throws Exception {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    runner.close();
  }
}
