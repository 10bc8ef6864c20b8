package org.smbgw.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.smbgw.agent.acl.Inheritance;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.testing.AclShare;

/**
 * {@code scripts/bench acls}: how fast a change of a share root's Windows ACL reaches what is
 * inside ({@link NtAcls#passDown}, the agent's own code, through smbd's VFS stack for an
 * {@code acl_xattr} share on this machine's ext4). A tree of {@code SMBGW_ACL_FILES} files
 * (default 20,000) in folders of 100, each given the ACL smbd gives a new file (Samba's rules, as
 * {@link Inheritance} computes them), gets one more reader on the root; every file and folder
 * must change. Then the same again, which changes
 * nothing: what a pass-down costs when it only reads. No smbd runs; the tree is made directly.
 */
final class AclBench {
  private static final String OWNER = "S-1-22-1-0";
  private static final String GROUP = "S-1-22-2-0";

  private AclBench() {}

  static void run() throws Exception {
    int files = Integer.parseInt(System.getenv().getOrDefault("SMBGW_ACL_FILES", "20000"));
    CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
        Duration.ofMinutes(2));
    try (AclShare scratch = new AclShare(runner)) {
      Path share = scratch.root();
      NtAcls acls = scratch.ntAcls(runner, Duration.ofSeconds(30));
      String reader = "(A;OICI;0x001200a9;;;S-1-5-21-1-2-3-1000001)";
      Sddl before = Sddl.parse("O:" + OWNER + "G:" + GROUP + "D:PAI(A;OICI;0x001f01ff;;;S-1-5-18)" + reader
          + "(A;OICIIO;0x001f01ff;;;S-1-3-0)");
      scratch.set(share, before.text());
      int folders = makeTree(share, files);
      // Every file gets the ACL smbd would give it: a pass-down that treats each as having no entries of its own.
      acls.passDown(share, AclShare.NAME, new Inheritance.Walk() {
        @Override
        public Optional<Inheritance.Change> next(Inheritance.Node n) {
          return super.next(n.acl() != null || n.up() < 0 ? n : new Inheritance.Node(n.path(), n.ino(), n.pino(),
              n.up(), n.dir(), n.hash(), Sddl.parse("O:" + OWNER + "G:" + GROUP + "D:AI"), null));
        }
      });

      Sddl after = Sddl.parse(before.text().replace("(A;OICIIO", reader.replace("1000001", "1000002") + "(A;OICIIO"));
      scratch.set(share, after.text());
      long t0 = System.nanoTime();
      NtAcls.PassedDown changed = acls.passDown(share, AclShare.NAME, new Inheritance.Walk());
      double changedMs = (System.nanoTime() - t0) / 1e6;
      if (changed.summary().changed() != files + folders || changed.failed() > 0) {
        throw new IllegalStateException("expected every one of " + (files + folders) + " to change: " + changed);
      }
      long t1 = System.nanoTime();
      NtAcls.PassedDown again = acls.passDown(share, AclShare.NAME, new Inheritance.Walk());
      double againMs = (System.nanoTime() - t1) / 1e6;
      if (again.summary().unchanged() != files + folders) {
        throw new IllegalStateException("expected nothing to change the second time: " + again);
      }
      Bench.figure("acls.pass_down.files", files + folders, "count");
      Bench.figure("acls.pass_down.changed_per_s", (files + folders) / (changedMs / 1000), "per_s");
      Bench.figure("acls.pass_down.unchanged_per_s", (files + folders) / (againMs / 1000), "per_s");
    }
  }

  /** Folders of 100 files under {@code share}; how many folders. */
  private static int makeTree(Path share, int files) throws Exception {
    int folders = (files + 99) / 100;
    for (int d = 0; d < folders; d++) {
      Path folder = Files.createDirectory(share.resolve(String.format("d%04d", d)));
      for (int f = 0; f < 100 && d * 100 + f < files; f++) {
        Files.createFile(folder.resolve(String.format("f%03d.txt", f)));
      }
    }
    return folders;
  }
}
