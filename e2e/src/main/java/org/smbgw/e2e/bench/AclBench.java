package org.smbgw.e2e.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.smbgw.agent.acl.Inheritance;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.samba.SambaTools;

/**
 * {@code scripts/bench acls}: how fast a change of a share root's Windows ACL reaches what is
 * inside ({@link NtAcls#passDown}, the agent's own code, through smbd's VFS stack for an
 * {@code acl_xattr} share on this machine's ext4). A tree of {@code SMBGW_ACL_FILES} files
 * (default 20,000) in folders of 100, each with the ACL smbd gives a new file, gets one more
 * reader on the root; every file and folder must change. Then the same again, which changes
 * nothing: what a pass-down costs when it only reads. No smbd runs; the tree is made directly.
 */
final class AclBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String OWNER = "S-1-22-1-0";
  private static final String GROUP = "S-1-22-2-0";

  private AclBench() {}

  static void run() throws Exception {
    int files = Integer.parseInt(System.getenv().getOrDefault("SMBGW_ACL_FILES", "20000"));
    Path dir = Files.createTempDirectory("smbgw-aclbench-");
    try {
      CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
          Duration.ofMinutes(30));
      Path conf = smbConf(dir);
      Path share = dir.resolve("share");
      runner.run(Command.of("net", "-s", conf.toString(), "setdomainsid", "S-1-5-21-1-2-3"));
      NtAcls acls = new NtAcls(runner, SambaTools.defaults(), conf, dir.resolve("state"));
      String reader = "(A;OICI;0x001200a9;;;S-1-5-21-1-2-3-1000001)";
      Sddl before = Sddl.parse("O:" + OWNER + "G:" + GROUP + "D:PAI(A;OICI;0x001f01ff;;;S-1-5-18)" + reader
          + "(A;OICIIO;0x001f01ff;;;S-1-3-0)");
      acls.set(share, "bench", before);
      int folders = makeTree(share, files, before, dir.resolve("seed.jsonl"));
      // The helper's own set, to give every file the ACL smbd would have (the agent's jar writes it here).
      acls.passDown(share, "bench", new Inheritance.Walk());
      runner.run(Command.of("/usr/bin/python3", dir.resolve("state/ntacl-tree.py").toString(), "set", "bench",
          conf.toString(), dir.resolve("seed.jsonl").toString()).timeout(Duration.ofMinutes(30)));

      Sddl after = Sddl.parse(before.text().replace("(A;OICIIO", reader.replace("1000001", "1000002") + "(A;OICIIO"));
      acls.set(share, "bench", after);
      long t0 = System.nanoTime();
      NtAcls.PassedDown changed = acls.passDown(share, "bench", new Inheritance.Walk());
      double changedMs = (System.nanoTime() - t0) / 1e6;
      if (changed.summary().changed() != files + folders || changed.failed() > 0) {
        throw new IllegalStateException("expected every one of " + (files + folders) + " to change: " + changed);
      }
      long t1 = System.nanoTime();
      NtAcls.PassedDown again = acls.passDown(share, "bench", new Inheritance.Walk());
      double againMs = (System.nanoTime() - t1) / 1e6;
      if (again.summary().unchanged() != files + folders) {
        throw new IllegalStateException("expected nothing to change the second time: " + again);
      }
      Bench.figure("acls.pass_down.files", files + folders, "count");
      Bench.figure("acls.pass_down.changed_per_s", (files + folders) / (changedMs / 1000), "per_s");
      Bench.figure("acls.pass_down.unchanged_per_s", (files + folders) / (againMs / 1000), "per_s");
    } finally {
      try (var all = Files.walk(dir)) {
        all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /** Folders of 100 files under {@code share}, and the ACLs smbd would give them, written to {@code seed}. */
  private static int makeTree(Path share, int files, Sddl root, Path seed) throws Exception {
    int folders = (files + 99) / 100;
    String dirAcl = "O:" + OWNER + "G:" + GROUP + "D:AI" + String.join("", Inheritance.inherited(
        root.aces().stream().map(e -> Sddl.meaning(e).orElseThrow()).toList(), true, true, OWNER, GROUP).stream()
        .map(Sddl.Ace::text).toList());
    Sddl dir = Sddl.parse(dirAcl);
    String fileAcl = "O:" + OWNER + "G:" + GROUP + "D:AI" + String.join("", Inheritance.inherited(
        dir.aces().stream().map(e -> Sddl.meaning(e).orElseThrow()).toList(), true, false, OWNER, GROUP).stream()
        .map(Sddl.Ace::text).toList());
    try (BufferedWriter out = Files.newBufferedWriter(seed)) {
      for (int d = 0; d < folders; d++) {
        Path folder = Files.createDirectory(share.resolve(String.format("d%04d", d)));
        line(out, folder, dirAcl);
        for (int f = 0; f < 100 && d * 100 + f < files; f++) {
          line(out, Files.createFile(folder.resolve(String.format("f%03d.txt", f))), fileAcl);
        }
      }
    }
    return folders;
  }

  private static void line(BufferedWriter out, Path p, String sddl) throws Exception {
    out.write(JSON.writeValueAsString(Map.of("path", HexFormat.of().formatHex(p.toString()
        .getBytes(StandardCharsets.UTF_8)), "sddl", sddl)));
    out.write('\n');
  }

  private static Path smbConf(Path dir) throws Exception {
    Path priv = dir.resolve("private");
    for (String d : new String[] {"lock", "state", "cache", "pid"}) {
      Files.createDirectories(priv.resolve(d));
    }
    Files.createDirectories(dir.resolve("share"));
    Path conf = dir.resolve("smb.conf");
    Files.writeString(conf, "[global]\n\tprivate dir = " + priv + "\n\tlock directory = " + priv.resolve("lock")
        + "\n\tstate directory = " + priv.resolve("state") + "\n\tcache directory = " + priv.resolve("cache")
        + "\n\tpid directory = " + priv.resolve("pid") + "\n\tpassdb backend = tdbsam:" + priv.resolve("passdb.tdb")
        + "\n[bench]\n\tpath = " + dir.resolve("share") + "\n\tvfs objects = acl_xattr\n"
        + "\tacl_xattr:ignore system acls = yes\n\tacl flag inherited canonicalization = no\n");
    return conf;
  }
}
