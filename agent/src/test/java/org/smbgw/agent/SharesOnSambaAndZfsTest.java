package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.agent.testing.ZfsPool;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.ShareStatus;

/** Real smbd, real zfs-fuse, verified with the real smbclient. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SharesOnSambaAndZfsTest {
  private ZfsPool pool;
  private SandboxAgent node;
  private SmbClient client;
  private String alice;
  private String bob;
  private String mallory;
  private final String alicePw = "Al1ce-" + ThreadLocalRandom.current().nextInt();
  private final String bobPw = "B0b-" + ThreadLocalRandom.current().nextInt();
  private final String malloryPw = "M4llory-" + ThreadLocalRandom.current().nextInt();

  @BeforeAll
  void start() throws Exception {
    pool = new ZfsPool("sgt", 256L << 20);
    node = new SandboxAgent().start();
    client = new SmbClient("127.0.0.1", node.port());
    alice = node.user("alice");
    bob = node.user("bob");
    mallory = node.user("mal");
  }

  @AfterAll
  void stop() throws Exception {
    try (ZfsPool p = pool; SandboxAgent n = node; SmbClient c = client) {
      // closed in reverse order, each even if another fails
    }
  }

  private String users() {
    return user(alice, alicePw) + user(bob, bobPw) + user(mallory, malloryPw);
  }

  private static String user(String name, String pw) {
    return "---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + name + "}\nspec: {ntHash: "
        + NtHash.of(pw.toCharArray()) + "}\n";
  }

  private String share(String name, String quota, boolean readOnly) {
    return "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: " + name + "}\nspec:\n"
        + "  storage: {zfs: {parent: " + pool.name() + "}}\n"
        + (quota == null ? "" : "  quota: " + quota + "\n")
        + "  readOnly: " + readOnly + "\n"
        + "  read: {users: [" + bob + "]}\n"
        + (readOnly ? "  admin: {users: [" + alice + "]}\n" : "  write: {users: [" + alice + "]}\n");
  }

  private Reconciler.PassReport converge() throws Exception {
    Reconciler.PassReport first = node.reconcile();
    assertEquals(Map.of(), first.outcome().errors(), "first pass failed");
    Reconciler.PassReport second = node.reconcile();
    assertEquals(0, second.plan().size(), "a second pass with nothing changed must run zero steps: " + second.plan());
    return first;
  }

  private CommandResult smb(String share, String user, String pw, String cmds) throws Exception {
    return client.run(share, user, pw, cmds);
  }

  /** Waits for smbd to pick up a reload, then runs the commands. */
  private CommandResult smbOnceServing(String share, String user, String pw, String cmds) throws Exception {
    return Eventually.until(Duration.ofSeconds(10), () -> smb(share, user, pw, cmds),
        r -> !SmbClient.output(r).contains("NT_STATUS_BAD_NETWORK_NAME"));
  }

  private String diagnostics(String dataset) {
    StringBuilder b = new StringBuilder("\n");
    try (var files = Files.list(pool.mountpoint().resolve(dataset))) {
      files.forEach(f -> {
        try {
          b.append(f).append(' ').append(Files.getAttribute(f, "unix:mode")).append(' ')
              .append(Files.getOwner(f)).append('\n');
        } catch (Exception e) {
          b.append(e).append('\n');
        }
      });
      java.util.List<String> log = Files.readAllLines(node.dir().resolve("state/samba/log/smbd.log"));
      b.append(String.join("\n", log.subList(Math.max(0, log.size() - 30), log.size())));
    } catch (Exception e) {
      b.append(e);
    }
    return b.toString();
  }

  private Path randomFile(String name, int bytes) throws Exception {
    byte[] data = new byte[bytes];
    ThreadLocalRandom.current().nextBytes(data);
    Path p = client.localFile(name);
    Files.write(p, data);
    return p;
  }

  /**
   * A failed-over share's address comes up only once the node reports the share served. The pass
   * that publishes it says so itself: waiting for the next pass to look again cost a whole
   * observation (1.1 s in the failover lab).
   */
  @Test
  void thePassThatPublishesAShareReportsItServed() throws Exception {
    node.desire(users() + share("fresh", null, false));
    Reconciler.PassReport r = node.reconcile();
    assertTrue(r.plan().size() > 0 && r.outcome().ok(), "the pass published nothing: " + r.plan() + r.outcome().errors());
    assertEquals(org.smbgw.proto.v1.ShareState.SHARE_STATE_ACTIVE, status("fresh").getState(), status("fresh").toString());
    assertEquals(pool.mountpoint().resolve("fresh").toString(), status("fresh").getPath(), "with where it is");
    CommandResult ls = smbOnceServing("fresh", alice, alicePw, "ls");
    assertEquals(0, ls.exitCode(), SmbClient.output(ls));
  }

  @Test
  void permittedUserWritesAndReadsBackTheSameBytesOthersAreRefused() throws Exception {
    node.desire(users() + share("team", "64M", false) + share("archive", null, true));
    converge();
    Path up = randomFile("up.bin", 300_000);
    CommandResult put = smbOnceServing("team", alice, alicePw, "put " + up + " data.bin");
    assertEquals(0, put.exitCode(), SmbClient.output(put));
    Path down = client.localFile("down.bin");
    CommandResult get = smb("team", bob, bobPw, "get data.bin " + down);
    assertEquals(0, get.exitCode(), () -> SmbClient.output(get) + diagnostics("team"));
    assertArrayEquals(Files.readAllBytes(up), Files.readAllBytes(down));

    CommandResult bobWrites = smb("team", bob, bobPw, "put " + up + " bob.bin");
    assertTrue(SmbClient.output(bobWrites).contains("NT_STATUS_ACCESS_DENIED"), SmbClient.output(bobWrites));
    CommandResult malloryReads = smb("team", mallory, malloryPw, "ls");
    assertTrue(SmbClient.output(malloryReads).contains("NT_STATUS_ACCESS_DENIED"), SmbClient.output(malloryReads));
    CommandResult wrongPassword = smb("team", alice, "not-" + alicePw, "ls");
    assertTrue(SmbClient.output(wrongPassword).contains("NT_STATUS_LOGON_FAILURE"), SmbClient.output(wrongPassword));

    CommandResult readOnly = smbOnceServing("archive", alice, alicePw, "put " + up + " nope.bin");
    assertTrue(SmbClient.output(readOnly).contains("NT_STATUS_ACCESS_DENIED"), SmbClient.output(readOnly));
    assertEquals(0, smb("archive", bob, bobPw, "ls").exitCode());
  }

  @Test
  void writingBeyondTheQuotaFailsDiskFullAndRaisingItLetsTheWriteThrough() throws Exception {
    node.desire(users() + share("quota", "8M", false));
    converge();
    Path six = randomFile("six.bin", 6 << 20);
    assertEquals(0, smbOnceServing("quota", alice, alicePw, "put " + six + " a.bin").exitCode());
    CommandResult over = smb("quota", alice, alicePw, "put " + six + " b.bin");
    assertTrue(SmbClient.output(over).contains("NT_STATUS_DISK_FULL"), SmbClient.output(over));
    Path back = client.localFile("a-back.bin");
    assertEquals(0, smb("quota", bob, bobPw, "get a.bin " + back).exitCode());
    assertArrayEquals(Files.readAllBytes(six), Files.readAllBytes(back), "what fit is intact");
    String dataset = pool.name() + "/quota";
    assertTrue(Long.parseLong(pool.property(dataset, "used")) <= 8L << 20);

    node.desire(users() + share("quota", "64M", false));
    converge();
    assertEquals(Long.toString(64L << 20), pool.property(dataset, "quota"));
    CommandResult retry = smb("quota", alice, alicePw, "put " + six + " b.bin");
    assertEquals(0, retry.exitCode(), SmbClient.output(retry));
  }

  @Test
  void deletingUnpublishesButKeepsTheDataUntilAnExplicitPurge() throws Exception {
    node.desire(users() + share("keep", "32M", false));
    converge();
    Path f = randomFile("keep.bin", 4096);
    assertEquals(0, smbOnceServing("keep", alice, alicePw, "put " + f + " precious.bin").exitCode());
    String dataset = pool.name() + "/keep";

    node.desire(users());
    converge();
    CommandResult gone = Eventually.until(Duration.ofSeconds(10), () -> smb("keep", alice, alicePw, "ls"),
        r -> SmbClient.output(r).contains("NT_STATUS_BAD_NETWORK_NAME"));
    assertTrue(SmbClient.output(gone).contains("NT_STATUS_BAD_NETWORK_NAME"), SmbClient.output(gone));
    assertTrue(pool.exists(dataset), "dataset kept");
    assertEquals("retired", pool.property(dataset, "org.smbgw:state"));
    assertTrue(Files.exists(pool.mountpoint().resolve("keep/precious.bin")), "files kept");

    node.desire(users() + share("keep", "32M", false));
    converge();
    Path back = client.localFile("keep-back.bin");
    CommandResult get = smbOnceServing("keep", alice, alicePw, "get precious.bin " + back);
    assertEquals(0, get.exitCode(), "re-declaring the share brings its data back: " + SmbClient.output(get));
    assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(back));

    // Next to a share that fails on every pass (its dataset was not made by smbgw): the purge
    // still runs, and the pass after it reports it done, which is what frees the name.
    pool.zfs("create", pool.name() + "/stranger");
    node.desire(users() + share("stranger", null, false)
        + "---\napiVersion: smbgw/v1\nkind: Purge\nmetadata: {name: keep}\n");
    node.reconcile(); // a purge destroys only a retired dataset: unpublished and retired first
    assertTrue(pool.exists(dataset));
    Reconciler.PassReport purging = node.reconcile();
    assertFalse(pool.exists(dataset), "purge destroys the dataset");
    assertTrue(purging.outcome().errors().containsKey("share/stranger"), purging.outcome().errors().toString());
    assertEquals(List.of(), node.agent().status().getPurgedSharesList(), "the purging pass still saw the dataset");
    node.reconcile();
    assertEquals(List.of("keep"), node.agent().status().getPurgedSharesList());
    assertEquals(0, node.agent().status().getAppliedGeneration(), "the node as a whole has not converged");
    assertTrue(node.agent().status().getPassGeneration() > 0);
  }

  @Test
  void aPurgeNeverDestroysADatasetInsideTheSharesOwn() throws Exception {
    node.desire(users() + share("outer", null, false) + share("next", null, false));
    converge();
    pool.zfs("create", pool.name() + "/outer/someones"); // made by hand inside the share's dataset
    node.desire(users() + share("next", null, false) + "---\napiVersion: smbgw/v1\nkind: Purge\nmetadata: {name: outer}\n");
    node.reconcile(); // unpublished and retired
    Reconciler.PassReport refused = node.reconcile();
    assertTrue(refused.outcome().errors().getOrDefault("share/outer", "").contains(pool.name() + "/outer/someones (not smbgw's)"),
        refused.outcome().errors().toString());
    assertTrue(pool.exists(pool.name() + "/outer/someones") && pool.exists(pool.name() + "/outer"), "nothing destroyed");
    assertEquals(0, smbOnceServing("next", alice, alicePw, "ls").exitCode(), "the other share is served");
  }

  private String dirShare(String name) {
    return "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: " + name + "}\nspec:\n"
        + "  storage: {directory: {path: " + node.directoryRoot().resolve(name) + "}}\n"
        + "  write: {users: [" + alice + "]}\n";
  }

  @Test
  void aShareRootReplacedByALinkStopsOnlyThatShare() throws Exception {
    node.desire(users() + dirShare("linked") + dirShare("steady"));
    converge();
    Path linked = node.directoryRoot().resolve("linked");
    Path moved = node.directoryRoot().resolve("linked.moved");
    Files.move(linked, moved);
    Path target = Files.createDirectory(node.dir().resolve("elsewhere"));
    Object ownerBefore = Files.getAttribute(target, "unix:uid");
    Files.createSymbolicLink(linked, target);
    Reconciler.PassReport r = node.reconcile();
    assertTrue(r.outcome().errors().getOrDefault("share/linked", "").contains("symbolic link"), r.outcome().errors().toString());
    assertEquals(java.util.Set.of("share/linked"), r.outcome().errors().keySet(), "only that share fails");
    assertEquals(0, smbOnceServing("steady", alice, alicePw, "ls").exitCode(), "the other share is served");
    assertEquals(ownerBefore, Files.getAttribute(target, "unix:uid"), "nothing changed through the link");
    assertEquals("rwxr-xr-x", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
  }

  @Test
  void connectedClientsShowAsSessionsAndTreeConnectsPerShare() throws Exception {
    node.desire(users() + share("busy", null, false) + share("idle", null, false));
    converge();
    assertEquals(0, smbOnceServing("busy", alice, alicePw, "ls").exitCode());
    Path auth = client.localFile("held.auth");
    Files.writeString(auth, "username = " + alice + "\npassword = " + alicePw + "\n");
    List<Process> held = new ArrayList<>();
    try {
      for (int i = 0; i < 2; i++) {
        // smbclient keeps its session while its stdin stays open
        held.add(new ProcessBuilder("smbclient", "//127.0.0.1/busy", "-p", Integer.toString(node.port()),
            "-A", auth.toString(), "-m", "SMB3").redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectErrorStream(true).start());
      }
      ShareStatus busy = Eventually.until(Duration.ofSeconds(20), () -> {
        node.reconcile();
        return status("busy");
      }, s -> s.getSessions() == 2);
      assertEquals(2, busy.getSessions(), busy.toString());
      assertEquals(2, busy.getTreeConnects());
      assertEquals(List.of(alice), busy.getUsersList());
      assertEquals(0, status("idle").getSessions());
    } finally {
      held.forEach(Process::destroy);
    }
  }

  @Test
  void metricsEndpointServesValidExpositionWithPerShareSeries() throws Exception {
    node.desire(users() + share("watched", "16M", false));
    converge();
    Path data = randomFile("watched.bin", 3 << 20);
    assertEquals(0, smbOnceServing("watched", alice, alicePw, "put " + data + " w.bin").exitCode());
    Path auth = client.localFile("watch.auth");
    Files.writeString(auth, "username = " + alice + "\npassword = " + alicePw + "\n");
    Process held = new ProcessBuilder("smbclient", "//127.0.0.1/watched", "-p", Integer.toString(node.port()),
        "-A", auth.toString(), "-m", "SMB3").redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    try {
      Eventually.until(Duration.ofSeconds(20), () -> {
        node.reconcile();
        return Map.entry(status("watched"), Long.parseLong(pool.property(pool.name() + "/watched", "used")));
      }, e -> e.getKey().getSessions() == 1 && e.getKey().getUsedBytes() == e.getValue());
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
      String base = "http://127.0.0.1:" + node.agent().metricsPort();
      java.net.http.HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(base + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
      String body = metrics.body();
      assertEquals(1, series(body, "smbgw_share_sessions", "watched"), body);
      assertTrue(body.contains("smbgw_sessions{dialect=\"SMB3_11\",encryption=\"none\",node=\"test\",signing="), body);
      assertEquals(1, series(body, "smbgw_share_tree_connects", "watched"));
      assertEquals(16L << 20, series(body, "smbgw_share_quota_bytes", "watched"));
      assertEquals(Long.parseLong(pool.property(pool.name() + "/watched", "used")),
          series(body, "smbgw_share_used_bytes", "watched"), "usage as zfs get -Hp reports it");
      assertTrue(body.contains("smbgw_agent_exec_duration_zfs"), "external commands are timed by tool");
      assertFalse(body.contains("127.0.0.1"), "no client addresses as labels");

      Process promtool = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
      promtool.getOutputStream().write(body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      promtool.getOutputStream().close();
      String verdict = new String(promtool.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      assertEquals(0, promtool.waitFor(), "promtool check metrics: " + verdict);

      assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/healthz")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
      assertEquals(200, http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/readyz")).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode());
    } finally {
      held.destroy();
    }
  }

  @Test
  void bytesWrittenThroughAShareCountForThatShareOnly() throws Exception {
    node.desire(users() + share("io-a", null, false) + share("io-b", null, false));
    converge();
    assertEquals(0, smbOnceServing("io-a", alice, alicePw, "ls").exitCode());
    assertEquals(0, smbOnceServing("io-b", alice, alicePw, "ls").exitCode());
    Path big = randomFile("big.bin", 50 << 20);
    Path auth = client.localFile("io.auth");
    Files.writeString(auth, "username = " + alice + "\npassword = " + alicePw + "\n");
    // An interactive session that stays open while the agent samples its process.
    Process held = new ProcessBuilder("smbclient", "//127.0.0.1/io-a", "-p", Integer.toString(node.port()),
        "-A", auth.toString(), "-m", "SMB3").redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectErrorStream(true).start();
    try {
      held.getOutputStream().write(("put " + big + " big.bin\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
      held.getOutputStream().flush();
      ShareStatus a = Eventually.until(Duration.ofSeconds(60), () -> {
        node.reconcile();
        return status("io-a");
      }, s -> s.getStorageWrittenBytes() >= 50L << 20);
      assertTrue(a.getStorageWrittenBytes() >= 50L << 20, a.toString());
      assertTrue(status("io-b").getStorageWrittenBytes() < 1 << 20, status("io-b").toString());
    } finally {
      held.destroy();
    }
  }

  /** The value of one per-share series in Prometheus text exposition. */
  private static double series(String body, String name, String share) {
    String prefix = name + "{node=\"test\",share=\"" + share + "\"} ";
    return body.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(l.substring(prefix.length())))
        .findFirst().orElseThrow(() -> new AssertionError("no series " + prefix + " in\n" + body));
  }

  private ShareStatus status(String share) {
    return node.agent().status().getSharesList().stream().filter(s -> s.getName().equals(share)).findFirst().orElseThrow();
  }

  @Test
  void driftIsRepairedOnTheNextPass() throws Exception {
    node.desire(users() + share("drift", "16M", false));
    converge();
    String before = Files.readString(node.include());
    Files.writeString(node.include(), before.replace("read only = yes", "read only = no")
        + "\n[sneaky]\n\tpath = /etc\n\tguest ok = yes\n");
    pool.zfs("set", "quota=" + (1L << 30), pool.name() + "/drift");

    Reconciler.PassReport repair = node.reconcile();
    assertTrue(repair.plan().size() >= 2, "hand edit and quota change are both drift: " + repair.plan());
    assertEquals(before, Files.readString(node.include()));
    assertEquals(Long.toString(16L << 20), pool.property(pool.name() + "/drift", "quota"));
    assertEquals(0, node.reconcile().plan().size());
  }

  @Test
  void unmarkedDatasetsAreNeverTouched() throws Exception {
    pool.zfs("create", "-o", "quota=" + (5L << 20), pool.name() + "/handmade");
    node.desire(users() + share("handmade", "16M", false));
    Reconciler.PassReport r = node.reconcile();
    assertTrue(r.outcome().errors().get("share/handmade").contains("not marked"), r.outcome().errors().toString());
    assertEquals(Long.toString(5L << 20), pool.property(pool.name() + "/handmade", "quota"));
    assertFalse(Files.readString(node.include()).contains("[handmade]"));
    node.desire(users());
    node.reconcile();
    assertTrue(pool.exists(pool.name() + "/handmade"));
    assertEquals("-", pool.property(pool.name() + "/handmade", "org.smbgw:state"));
  }
}
