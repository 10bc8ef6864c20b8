package org.smbgw.e2e.conformance;

import com.codahale.metrics.MetricRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.AgentProcess;
import org.smbgw.agent.testing.DesiredYaml;
import org.smbgw.agent.testing.TestTimeouts;
import org.smbgw.agent.testing.ZfsPool;

/**
 * Samba's own conformance suite ({@code smbtorture}, Debian's {@code samba-testsuite}) against
 * shares smbgw's agent created and against stock shares ({@code read only = no}, nothing else)
 * that the same smbd serves from the same directory, added to the sandbox's smb.conf the way an
 * administrator adds a share of their own. One agent in a JVM of its own, with a directory share
 * on the machine's disk (ext4 here: extended attributes) and a ZFS share on a zfs-fuse pool
 * (none). Each run starts on an emptied directory; panics are counted from smbd's log during it.
 */
public final class Conformance implements AutoCloseable {
  /**
   * The suites the issue named, then those on what share definitions decide: attributes, share
   * modes, timestamps. Oplocks and leases (about 5 minutes a share, mostly waiting for breaks)
   * depend on nothing smbgw sets, and stay out.
   */
  public static final List<String> SUITES = List.of("smb2.connect", "smb2.getinfo", "smb2.setinfo", "smb2.rw",
      "smb2.dir", "smb2.lock", "smb2.read", "smb2.create", "smb2.rename", "smb2.delete-on-close-perms",
      "smb2.dosmode", "smb2.sharemode", "smb2.timestamps", "smb2.openattr");
  /** What one share passed, failed and skipped (as "suite/subtest"), and the smbd panics meanwhile. */
  public record Result(Set<String> passed, Set<String> failed, Set<String> skipped, int panics) {}

  private static final String PASSWORD = "Conf0rmance-run";
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new MetricRegistry()), Duration.ofMinutes(5));
  /** Interrupted (Ctrl-C on the benchmark), it still removes its pool, account, processes and directory. */
  private final Thread cleanup = new Thread(this::closeQuietly, "smbgw-conformance-cleanup");
  private final AtomicBoolean closed = new AtomicBoolean();
  private AgentProcess node;
  private ZfsPool pool;
  private String user;
  private Path auth;
  private Path zfsPath;

  /** @param zfs whether to make a ZFS share too (it needs the zfs-fuse daemon) */
  public Conformance(boolean zfs) throws Exception {
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      node = new AgentProcess("smbgw-conformance-", "conformance");
      pool = zfs ? new ZfsPool("sgc", 512L << 20) : null;
      user = node.user("conf");
      auth = node.dir().resolve("smbtorture.auth");
      Files.writeString(auth, "username = " + user + "\npassword = " + PASSWORD + "\n");
      start();
    } catch (Exception e) {
      try {
        close();
      } catch (Exception again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  private void start() throws Exception {
    String writer = "write: {users: [" + user + "]}";
    List<String> yaml = new ArrayList<>(List.of(DesiredYaml.user(user, PASSWORD),
        DesiredYaml.share("gw", "{directory: {path: " + directory() + "}}", writer)));
    if (pool != null) {
      yaml.add(DesiredYaml.share("gwzfs", "{zfs: {parent: " + pool.name() + "}}", writer));
    }
    Files.writeString(node.desired(), DesiredYaml.of(yaml));
    Path status = node.state().resolve("status.json");
    Process agent = node.start();
    long deadline = System.nanoTime() + TestTimeouts.seconds(120).toNanos();
    while (System.nanoTime() < deadline && agent.isAlive() && !served()) {
      Thread.sleep(100);
    }
    if (!served()) {
      Path log = node.dir().resolve("agent.log");
      throw new IllegalStateException("the agent did not serve the shares: "
          + (Files.exists(status) ? Files.readString(status) : "no status") + "\n"
          + (Files.exists(log) ? Files.readString(log) : ""));
    }
    // The stock shares, as an administrator's own sections of smb.conf: the agent keeps them.
    StringBuilder stock = new StringBuilder("\n[stock]\n\tpath = " + directory() + "\n\tread only = no\n");
    if (pool != null) {
      stock.append("\n[stockzfs]\n\tpath = ").append(zfsPath).append("\n\tread only = no\n");
    }
    Files.writeString(smbConf(), stock, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    runner.run(Command.of("smbcontrol", "--configfile=" + smbConf(), "smbd", "reload-config"));
  }

  /** The directory storage both directory shares serve. */
  public Path directory() {
    return node.directoryRoot().resolve("gw");
  }

  private Path smbConf() {
    return node.state().resolve("samba/smb.conf");
  }

  private boolean served() {
    Map<String, String> served = node.servedShares();
    if (served.containsKey("gwzfs")) {
      zfsPath = Path.of(served.get("gwzfs"));
    }
    return served.size() == (pool == null ? 1 : 2);
  }


  /** smbgw's share on directory storage, its stock twin, and (with ZFS) the same pair on ZFS. */
  public Result smbgw() throws Exception {
    return run("gw", directory());
  }

  public Result stock() throws Exception {
    return run("stock", directory());
  }

  public Result smbgwZfs() throws Exception {
    return run("gwzfs", zfsPath);
  }

  public Result stockZfs() throws Exception {
    return run("stockzfs", zfsPath);
  }

  /** Every suite against {@code share}, from an emptied {@code dir}. */
  public Result run(String share, Path dir) throws Exception {
    return run(share, dir, SUITES);
  }

  public Result run(String share, Path dir, List<String> suites) throws Exception {
    empty(dir);
    Path log = node.state().resolve("samba/log/log.smbd");
    long from = Files.exists(log) ? Files.size(log) : 0;
    Set<String> passed = new TreeSet<>();
    Set<String> failed = new TreeSet<>();
    Set<String> skipped = new TreeSet<>();
    for (String suite : suites) {
      // Its scratch directories go to the run's directory, not to wherever the caller stands.
      CommandResult r = runner.runAllowingFailure(Command.of("smbtorture", "//127.0.0.1/" + share,
          "-p", Integer.toString(node.port()), "-A", auth.toString(), "--basedir=" + node.dir(), suite)
          .timeout(Duration.ofMinutes(5)));
      for (String line : r.stdout().split("\n")) {
        int colon = line.indexOf(": ");
        if (colon < 0) {
          continue;
        }
        String name = suite + "/" + line.substring(colon + 2).replaceFirst(" \\[$", "").strip();
        switch (line.substring(0, colon)) {
          case "success" -> passed.add(name);
          case "failure", "error" -> failed.add(name);
          case "skip" -> skipped.add(name);
          default -> { }
        }
      }
    }
    return new Result(passed, failed, skipped, panics(log, from));
  }

  /** "PANIC (pid N)" lines smbd wrote to its log after {@code from} bytes. */
  private static int panics(Path log, long from) throws IOException {
    if (!Files.exists(log)) {
      return 0;
    }
    byte[] all = Files.readAllBytes(log);
    String since = new String(all, (int) Math.min(from, all.length), (int) Math.max(0, all.length - from),
        StandardCharsets.UTF_8);
    return (int) since.lines().filter(l -> l.contains("PANIC (pid")).count();
  }

  /** Removes what earlier runs left under {@code dir}, keeping {@code dir} itself. */
  private static void empty(Path dir) throws IOException {
    try (var entries = Files.list(dir)) {
      for (Path p : entries.toList()) {
        try (var walk = Files.walk(p)) {
          for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
            Files.delete(q);
          }
        }
      }
    }
  }

  /** Closes once, whoever comes first: the caller, or the shutdown hook on Ctrl-C. */
  @Override
  public void close() throws Exception {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // called from the hook itself
    }
    try {
      if (node != null) {
        node.close();
      }
    } finally {
      runner.close();
      if (pool != null) {
        pool.close();
      }
    }
  }

  private void closeQuietly() {
    try {
      close();
    } catch (Exception e) {
      System.err.println("# conformance: cleaning up: " + e);
    }
  }
}
