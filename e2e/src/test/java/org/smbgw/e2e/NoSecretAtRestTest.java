package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.common.NtHash;
import org.smbgw.coordinator.Coordinator;
import org.smbgw.coordinator.CoordinatorConfig;
import org.smbgw.e2e.Cli.Result;

/**
 * While a user is created, given a new password and signs in with both (real coordinator with its
 * embedded ZooKeeper, real agent, smbd and smbclient), nothing smbgw leaves behind holds a password
 * or its NT hash, raw, hex or base64: not a process's command line (sampled all along), not a log
 * line of the coordinator or agent at any level, not a file of ZooKeeper's data directory, not a
 * file of the agent's state directory (Samba's own passdb excepted: that is where the hash must
 * be), not the audit trail.
 */
class NoSecretAtRestTest {
  /** Samba keeps its accounts' hashes here; that is its job. */
  private static final Set<String> PASSDB = Set.of("passdb.tdb");

  @Test
  void noPasswordNorHashIsLeftInCommandLinesLogsZooKeeperStateOrAudit() throws Exception {
    String first = "Rest-" + ThreadLocalRandom.current().nextInt(1 << 30) + "-a";
    String second = "Rest-" + ThreadLocalRandom.current().nextInt(1 << 30) + "-b";
    Path state = Files.createTempDirectory("smbgw-e2e-rest-");
    Path storage = Files.createTempDirectory("smbgw-e2e-rest-dir-", org.smbgw.agent.testing.TestDirs.TRAVERSABLE);
    List<String> logs = java.util.Collections.synchronizedList(new ArrayList<>());
    Handler capture = new Handler() {
      private final SimpleFormatter format = new SimpleFormatter();

      @Override
      public void publish(LogRecord record) {
        logs.add(format.format(record));
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    capture.setLevel(Level.ALL);
    Logger smbgw = Logger.getLogger("org.smbgw");
    Level before = smbgw.getLevel();
    smbgw.setLevel(Level.ALL);
    Logger.getLogger("").addHandler(capture);
    CommandLines commandLines = new CommandLines();
    int port;
    int zkPort;
    try (var a = new java.net.ServerSocket(0); var b = new java.net.ServerSocket(0)) {
      port = a.getLocalPort();
      zkPort = b.getLocalPort();
    }
    CoordinatorConfig config = new CoordinatorConfig("127.0.0.1", port, null, "", zkPort, state, 4000, "", 2000, 250,
        "text").withTls(Cli.PKI.node("coordinator"));
    try (Coordinator coordinator = new Coordinator(config); SandboxAgent node = new SandboxAgent()) {
      coordinator.start();
      Cli.admin(coordinator.address(), config);
      node.coordinators(List.of(coordinator.address())).tls(Cli.PKI.node("test")).looping(1)
          .storageCfg("dir: local\n\tpath " + storage + "\n\tcontent images\n").start();
      assertTrue(Eventually.until(Duration.ofSeconds(20), () -> coordinator.view().live().containsKey("test"), x -> x),
          "the node joined");
      commandLines.start();
      SmbClient smb = new SmbClient("127.0.0.1", node.port());
      try {
        String user = node.user("rest");
        Result added = Cli.run(coordinator.address(), first + "\n", "user", "add", user, "--password-stdin");
        assertEquals(0, added.code(), added.err());
        Result created = Cli.run(coordinator.address(), null, "share", "create", "vault", "--storage", "local", "--write", user);
        assertEquals(0, created.code(), created.err());
        signsIn(smb, user, first);
        Result changed = Cli.run(coordinator.address(), second + "\n", "user", "passwd", user, "--password-stdin");
        assertEquals(0, changed.code(), changed.err());
        signsIn(smb, user, second);
      } finally {
        smb.close();
      }
      commandLines.stop();
      Result audit = Cli.run(coordinator.address(), null, "audit", "-o", "json");
      assertEquals(0, audit.code(), audit.err());
      assertTrue(audit.out().contains("PutUser"), "the audit trail holds the calls: " + audit.out());

      Map<String, byte[]> needles = needles(first, second);
      List<String> found = new ArrayList<>();
      for (String line : commandLines.seen()) {
        search("command line '" + line + "'", line.getBytes(StandardCharsets.UTF_8), needles, found);
      }
      synchronized (logs) {
        for (String line : logs) {
          search("log line '" + line.strip() + "'", line.getBytes(StandardCharsets.UTF_8), needles, found);
        }
      }
      search("smbgw audit", audit.out().getBytes(StandardCharsets.UTF_8), needles, found);
      int zooKeeperFiles = searchTree(state, Set.of(), needles, found);
      searchTree(node.dir(), PASSDB, needles, found);
      assertEquals(List.of(), found);
      assertTrue(zooKeeperFiles > 0 && Files.isDirectory(state.resolve("zookeeper/data/version-2")),
          "ZooKeeper's data directory was searched");
      assertTrue(commandLines.seen().stream().anyMatch(l -> l.contains("smbd")), "processes were sampled");
      assertTrue(logs.size() > 20, "log lines were captured: " + logs.size());
    } finally {
      commandLines.stop();
      Logger.getLogger("").removeHandler(capture);
      smbgw.setLevel(before);
      org.smbgw.agent.testing.TestDirs.delete(state);
      org.smbgw.agent.testing.TestDirs.delete(storage);
    }
  }

  private static void signsIn(SmbClient smb, String user, String password) throws Exception {
    CommandResult ls = Eventually.until(Duration.ofSeconds(30), () -> smb.run("vault", user, password, "ls"),
        r -> r.exitCode() == 0);
    assertEquals(0, ls.exitCode(), SmbClient.output(ls));
  }

  /** Each password and its NT hash in every form a careless program would write them. */
  private static Map<String, byte[]> needles(String... passwords) {
    Map<String, byte[]> out = new LinkedHashMap<>();
    Base64.Encoder b64 = Base64.getEncoder();
    for (String p : passwords) {
      String hex = NtHash.of(p.toCharArray()).toUpperCase(Locale.ROOT);
      byte[] raw = java.util.HexFormat.of().parseHex(hex);
      out.put("password " + p, p.getBytes(StandardCharsets.UTF_8));
      out.put("password " + p + " as UTF-16LE", p.getBytes(StandardCharsets.UTF_16LE));
      out.put("password " + p + " in base64", b64.encode(p.getBytes(StandardCharsets.UTF_8)));
      out.put("hash " + hex, hex.getBytes(StandardCharsets.US_ASCII));
      out.put("hash " + hex + " in lower case", hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
      out.put("hash " + hex + " raw", raw);
      out.put("hash " + hex + " raw in base64", b64.encode(raw));
      out.put("hash " + hex + " hex in base64", b64.encode(hex.getBytes(StandardCharsets.US_ASCII)));
      out.put("hash " + hex + " lower hex in base64", b64.encode(hex.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII)));
    }
    return out;
  }

  private static void search(String where, byte[] haystack, Map<String, byte[]> needles, List<String> found) {
    String text = new String(haystack, StandardCharsets.ISO_8859_1);
    needles.forEach((what, needle) -> {
      if (text.contains(new String(needle, StandardCharsets.ISO_8859_1))) {
        found.add(what + " in " + where);
      }
    });
  }

  /** Searches every regular file under {@code dir} but those named in {@code except}; returns how many. */
  private static int searchTree(Path dir, Set<String> except, Map<String, byte[]> needles, List<String> found)
      throws Exception {
    List<Path> files;
    try (var walk = Files.walk(dir)) {
      files = walk.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
          .filter(p -> !except.contains(p.getFileName().toString())).toList();
    }
    int searched = 0;
    for (Path f : files) {
      byte[] content;
      try {
        content = Files.readAllBytes(f);
      } catch (java.nio.file.NoSuchFileException gone) {
        continue; // removed since the walk (smbd's messaging lock files come and go): nothing left to read
      }
      search(f.toString(), content, needles, found);
      searched++;
    }
    return searched;
  }


  /** Every process's command line, read from /proc every few milliseconds until stopped. */
  private static final class CommandLines {
    private final Set<String> seen = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private Thread thread;

    void start() {
      running = true;
      thread = new Thread(() -> {
        while (running) {
          try (var procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path p : procs) {
              try {
                byte[] argv = Files.readAllBytes(p.resolve("cmdline"));
                seen.add(new String(argv, StandardCharsets.UTF_8).replace('\0', ' ').strip());
              } catch (java.io.IOException gone) {
                // exited meanwhile
              }
            }
            Thread.sleep(5);
          } catch (Exception e) {
            return;
          }
        }
      }, "command-lines");
      thread.setDaemon(true);
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      if (thread != null) {
        thread.join(5_000);
      }
    }

    Set<String> seen() {
      return seen;
    }
  }
}
