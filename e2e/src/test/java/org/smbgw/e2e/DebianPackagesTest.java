package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.common.NtHash;
import org.smbgw.e2e.bench.InstalledCoordinator;
import org.smbgw.e2e.bench.InstalledDebs;

/**
 * The three .deb files the build made, installed with dpkg on this machine as on a Proxmox node
 * (systemd is installed but not PID 1 here: units are checked with systemd-analyze, enabled by
 * the maintainer scripts, and started the way their ExecStart line would), used, and purged.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DebianPackagesTest {
  private static final Path DEBS = Path.of(System.getProperty("user.dir")).resolveSibling("packaging").resolve("target");
  private static final List<String> PACKAGES = InstalledDebs.PACKAGES;
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      Duration.ofMinutes(3));
  private Path dir;
  private InstalledDebs debs;

  @BeforeAll
  void install() throws Exception {
    String present = InstalledDebs.anyInstalled(runner);
    Assumptions.assumeTrue(present == null, present + " is installed on this machine already: not touching a real installation");
    dir = Files.createTempDirectory("smbgw-deb-", org.smbgw.agent.testing.TestDirs.TRAVERSABLE);
    debs = InstalledDebs.install(runner, DEBS);
  }

  @AfterAll
  void purge() throws Exception {
    try {
      if (debs != null) {
        debs.close();
      }
    } finally {
      if (dir != null) {
        try (var files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
      }
      runner.close();
    }
  }

  private CommandResult dpkg(String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("dpkg"));
    argv.addAll(List.of(args));
    CommandResult r = runner.runAllowingFailure(Command.of(argv));
    assertEquals(0, r.exitCode(), "dpkg " + String.join(" ", args) + ": " + r.stdout() + r.stderr());
    return r;
  }

  private CommandResult ok(String... argv) throws Exception {
    return ok(Command.of(List.of(argv)));
  }

  private CommandResult ok(Command c) throws Exception {
    CommandResult r = runner.runAllowingFailure(c);
    assertEquals(0, r.exitCode(), String.join(" ", c.argv()) + ": " + r.stdout() + r.stderr());
    return r;
  }

  @Test
  @Order(1)
  void theCommandsAnswerWithTheirVersion() throws Exception {
    assertTrue(ok("/usr/bin/smbgw", "--version").stdout().startsWith("smbgw "));
    assertTrue(ok("/usr/bin/smbgw-agent", "--version").stdout().startsWith("smbgw-agent "));
    assertTrue(ok("/usr/bin/smbgw-coordinator", "--version").stdout().startsWith("smbgw-coordinator "));
  }

  @Test
  @Order(2)
  void everyManPageRendersAndTheUnitsVerify() throws Exception {
    List<String> pages = new ArrayList<>();
    for (String p : PACKAGES) {
      for (String f : ok("dpkg", "-L", p).stdout().split("\n")) {
        if (f.startsWith("/usr/share/man/") && f.endsWith(".gz")) {
          pages.add(f);
        }
      }
    }
    assertTrue(pages.contains("/usr/share/man/man1/smbgw.1.gz"), pages.toString());
    assertTrue(pages.contains("/usr/share/man/man1/smbgw-share-create.1.gz"), "a page per subcommand: " + pages);
    assertTrue(pages.contains("/usr/share/man/man8/smbgw-agent.8.gz"), pages.toString());
    assertTrue(pages.contains("/usr/share/man/man8/smbgw-coordinator.8.gz"), pages.toString());
    for (String page : pages) {
      CommandResult r = runner.runAllowingFailure(Command.of("man", "-l", page).environment(java.util.Map.of("MANPAGER", "cat",
          "MANWIDTH", "80")));
      assertEquals(0, r.exitCode(), page + ": " + r.stderr());
      assertTrue(r.stdout().contains("NAME") && r.stderr().isBlank(), page + " renders badly: " + r.stderr());
    }
    for (String unit : List.of("smbgw-agent.service", "smbgw-coordinator.service")) {
      CommandResult r = runner.runAllowingFailure(Command.of("systemd-analyze", "verify", "/lib/systemd/system/" + unit));
      assertEquals(0, r.exitCode(), unit + ": " + r.stdout() + r.stderr());
      assertTrue(Files.isSymbolicLink(Path.of("/etc/systemd/system/multi-user.target.wants/" + unit)),
          unit + " was not enabled on install");
    }
    assertTrue(ok("getent", "passwd", "smbgw-coordinator").stdout().contains("/usr/sbin/nologin"));
    ok("runuser", "-u", "smbgw-coordinator", "--", "test", "-w", "/var/lib/smbgw/coordinator");
  }

  @Test
  @Order(2)
  void theShippedConfigurationFilesPassTheUnitsCheck() throws Exception {
    ok("/usr/bin/smbgw-agent", "check-config", "/etc/smbgw/agent.yaml");
    CommandResult c = ok("/usr/bin/smbgw-coordinator", "check-config", "/etc/smbgw/coordinator.yaml");
    assertTrue(c.stderr().contains("will wait"), "a fresh coordinator says it waits for an ensemble: " + c.stderr());
  }

  @Test
  @Order(3)
  void aChangedConffileSurvivesAReinstall() throws Exception {
    Path conf = Path.of("/etc/smbgw/agent.yaml");
    Files.writeString(conf, Files.readString(conf) + "resyncSeconds: 45   # changed by the administrator\n");
    dpkg("-i", DEBS.resolve("smbgw-agent_all.deb").toString());
    assertTrue(Files.readString(conf).contains("resyncSeconds: 45   # changed by the administrator"));
    ok("/usr/bin/smbgw-agent", "check-config", conf.toString());
    Files.writeString(conf, Files.readString(conf).replace("resyncSeconds: 45", "resyncSecond: 45"));
    CommandResult bad = runner.runAllowingFailure(Command.of("/usr/bin/smbgw-agent", "check-config", conf.toString()));
    assertEquals(4, bad.exitCode());
    assertTrue(bad.stderr().contains("resyncSecond: unknown setting"), bad.stderr());
    Files.writeString(conf, Files.readString(conf).replace("resyncSecond: 45   # changed by the administrator\n", ""));
  }

  @Test
  @Order(4)
  void theInstalledAgentStartedAsItsUnitWouldServesAShareWritesOnlyWhatItsUnitListsAndStopsPingingWhenStuck()
      throws Exception {
    String user = "debt" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    String password = "Deb-" + ThreadLocalRandom.current().nextInt(1 << 30);
    int port;
    try (var s = new java.net.ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path data = dir.resolve("data");
    Path state = dir.resolve("state");
    Files.createDirectories(data);
    Path config = dir.resolve("agent.yaml");
    Files.writeString(config, "node: debtest\nstateDir: " + state + "\ndesiredStateFile: " + dir.resolve("shares.yaml")
        + "\ndirectoryRoots: [" + data + "]\nunixGroup: smbgw\nmetrics: {listen: \"\"}\nsandbox: {port: " + port + "}\n"
        + "resyncSeconds: 1\ncommandTimeoutSeconds: 1\n");
    Files.writeString(dir.resolve("shares.yaml"), "apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user
        + "}\nspec: {ntHash: " + NtHash.of(password.toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\n"
        + "metadata: {name: packaged}\nspec:\n  storage: {directory: {path: " + data.resolve("packaged") + "}}\n"
        + "  write: {users: [" + user + "]}\n");
    ok("/usr/bin/smbgw-agent", "check-config", config.toString()); // the unit's ExecStartPre
    // systemd's side of Type=notify and WatchdogSec=, played by socat on a datagram socket.
    Path socket = dir.resolve("notify");
    Path notified = dir.resolve("notified");
    Process systemd = new ProcessBuilder("socat", "-u", "UNIX-RECV:" + socket, "OPEN:" + notified + ",creat,append")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    Eventually.until(Duration.ofSeconds(10), () -> Files.exists(socket), x -> x);
    // The unit's ExecStart line, under strace: every path the agent and the programs it runs write.
    Path trace = dir.resolve("agent.strace");
    Path stall = dir.resolve("stall");
    ProcessBuilder unit = new ProcessBuilder("strace", "-f", "-y", "--seccomp-bpf", "-qq", "-o", trace.toString(),
        "-e", "trace=" + WrittenPaths.SYSCALLS, "/usr/bin/smbgw-agent", "run", "-c", config.toString())
        .redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile());
    unit.environment().put("NOTIFY_SOCKET", socket.toString());
    unit.environment().put("WATCHDOG_USEC", "1000000");
    // The test seam that stops the reconcile loop: a system property, which no setting of the
    // packaged configuration reaches.
    unit.environment().put("JAVA_TOOL_OPTIONS", "-Dsmbgw.test.stallReconcileWhile=" + stall);
    Process straced = unit.start();
    int exit;
    try (SmbClient client = new SmbClient("127.0.0.1", port)) {
      Path file = client.localFile("hello.txt");
      Files.writeString(file, "served by the packaged agent");
      CommandResult put = Eventually.until(Duration.ofSeconds(90),
          () -> client.run("packaged", user, password, "put " + file + " hello.txt"), r -> r.exitCode() == 0);
      assertEquals(0, put.exitCode(), SmbClient.output(put) + "\n" + Files.readString(dir.resolve("agent.log")));
      String told = Eventually.until(Duration.ofSeconds(30), () -> Files.readString(notified),
          t -> t.contains("READY=1") && t.contains("STATUS=serving: 1 of 1 share(s) active") && pings(t) > 3);
      // READY=1 after the first pass, with a status line; the pass after it confirms the share.
      assertTrue(told.contains("READY=1\nSTATUS=serving: "), "READY=1 with its status: " + told);
      assertTrue(told.contains("STATUS=serving: 1 of 1 share(s) active"), told);
      assertTrue(pings(told) > 3, "watchdog pings every half second: " + told);

      // The reconcile loop stands still (as one stuck in I/O without a timeout would): once it has
      // outlived the command timeout and its margin, the pings stop, and systemd would restart it.
      Files.writeString(stall, "");
      assertTrue(Eventually.until(Duration.ofSeconds(60), () -> {
        int before = pings(Files.readString(notified));
        Thread.sleep(3000);
        return pings(Files.readString(notified)) == before;
      }, quiet -> quiet), "pings went on while the reconcile loop stood still");
      Files.delete(stall);
      int stopped = pings(Files.readString(notified));
      assertTrue(Eventually.until(Duration.ofSeconds(30), () -> pings(Files.readString(notified)) > stopped, x -> x),
          "pings did not come back with progress");
    } finally {
      Files.deleteIfExists(stall);
      // SIGTERM to the agent itself, as systemctl stop (strace's own SIGTERM would only detach it).
      straced.toHandle().children().forEach(ProcessHandle::destroy);
      exit = straced.waitFor();
      systemd.destroy();
      systemd.waitFor();
      runner.runAllowingFailure(Command.of("userdel", user));
    }
    assertEquals(143, exit, "the unit's SuccessExitStatus=143 expects this exit after SIGTERM");
    assertTrue(Files.readString(notified).contains("STOPPING=1"));
    assertEquals("served by the packaged agent", Files.readString(data.resolve("packaged").resolve("hello.txt")));

    // The sandbox profile keeps Samba's configuration and state under stateDir; everything else
    // is where the unit says.
    Map<String, String> moved = new java.util.HashMap<>();
    moved.put("/var/lib/smbgw/agent", state.toString());
    for (String samba : List.of("/etc/samba/smb.conf", "/etc/samba/.smb.conf.smbgw-tmp", "/etc/samba/smb.conf.smbgw-orig",
        "/etc/samba/smbgw-shares.conf", "/etc/samba/.smbgw-shares.conf.tmp", "/etc/samba/smbgw-shares.global.conf",
        "/etc/samba/.smbgw-shares.global.conf.tmp", "/var/lib/samba", "/var/cache/samba", "/run/samba", "/var/log/samba")) {
      moved.put(samba, state.resolve("samba").toString());
    }
    List<String> listed = WrittenPaths.listedInUnit(Path.of("/lib/systemd/system/smbgw-agent.service"),
        Map.of("share roots", data.toString()), moved);
    // Not writes: the JVM and programs open /dev/null and their own /proc entries read-write.
    List<String> outside = WrittenPaths.fromStrace(trace).stream()
        .filter(p -> !p.equals("/dev/null") && !p.startsWith("/proc/self/"))
        .filter(p -> !WrittenPaths.covered(p, listed)).toList();
    assertEquals(List.of(), outside, "written, but not among the paths the unit lists (" + listed + ")");
    assertTrue(WrittenPaths.covered(state.resolve("status.json").toString(), listed)
        && WrittenPaths.fromStrace(trace).contains(state.resolve("status.json").toString()), "the trace saw the agent's writes");
  }

  private static int pings(String told) {
    return told.split("WATCHDOG=1", -1).length - 1;
  }

  @Test
  @Order(5)
  void theInstalledCommandLineTalksToTheInstalledCoordinatorStartingFromWhatItsPostinstMade() throws Exception {
    // What postinst made for a quick start (issue 16): the class-data archive and Netty's OpenSSL binding.
    assertTrue(Files.size(Path.of("/var/cache/smbgw/smbgw-cli.jsa")) > 0, "the class-data archive");
    Path binding;
    try (var natives = Files.list(Path.of("/var/cache/smbgw/native"))) {
      binding = natives.filter(f -> f.getFileName().toString().startsWith("libio_grpc_netty_shaded_netty_tcnative_linux_"))
          .findFirst().orElseThrow(() -> new AssertionError("no OpenSSL binding in /var/cache/smbgw/native"));
    }
    try (InstalledCoordinator coordinator = new InstalledCoordinator(runner, dir.resolve("cli"))) {
      // Every output format, and the call traced: the binding is loaded from the cache, none unpacked.
      Path trace = dir.resolve("cli.strace");
      List<String> traced = new ArrayList<>(List.of("strace", "-f", "-e", "trace=openat", "-o", trace.toString()));
      traced.addAll(coordinator.cli("status").argv());
      assertTrue(ok(traced.toArray(String[]::new)).stdout().contains(coordinator.leaderLine()));
      String opened = Files.readString(trace);
      assertTrue(opened.contains(binding.toString()), "the binding came from " + binding);
      assertTrue(!opened.contains("/tmp/libio_grpc_netty_shaded_netty_tcnative"), "no binding unpacked into /tmp");
      assertTrue(ok(coordinator.cli("-o", "yaml", "status")).stdout().contains(coordinator.address()));
      assertTrue(ok(coordinator.cli("-o", "json", "status")).stdout().contains("\"" + coordinator.address() + "\""));
      assertTrue(ok(coordinator.cli("share", "list")).stdout().contains("NAME"));
    }
  }

  @Test
  @Order(6)
  void purgeRemovesWhatThePackagesMadeButNoShareData() throws Exception {
    Path kept = dir.resolve("data").resolve("packaged").resolve("hello.txt");
    List<String> argv = new ArrayList<>(List.of("--purge"));
    argv.addAll(PACKAGES);
    dpkg(argv.toArray(String[]::new));
    for (String gone : List.of("/usr/share/smbgw", "/etc/smbgw", "/var/lib/smbgw", "/usr/bin/smbgw", "/usr/bin/smbgw-agent",
        "/usr/bin/smbgw-coordinator", "/etc/default/smbgw-agent", "/etc/default/smbgw-coordinator",
        "/lib/systemd/system/smbgw-agent.service", "/etc/systemd/system/multi-user.target.wants/smbgw-agent.service",
        "/etc/systemd/system/multi-user.target.wants/smbgw-coordinator.service", "/usr/share/doc/smbgw-agent",
        "/usr/share/man/man8/smbgw-agent.8.gz", "/usr/share/lintian/overrides/smbgw-agent", "/var/cache/smbgw")) {
      assertTrue(!Files.exists(Path.of(gone), java.nio.file.LinkOption.NOFOLLOW_LINKS), gone + " is still there after purge");
    }
    assertTrue(Files.exists(kept), "a share's data went with the package");
    // Kept on purpose, as Debian keeps system accounts: share roots still belong to the group, and a
    // reused id would hand them to someone else. (The test removes them afterwards if it made them.)
    assertTrue(ok("getent", "group", "smbgw").succeeded());
    String left = InstalledDebs.anyInstalled(runner);
    assertTrue(left == null, left + " still installed");
  }
}
