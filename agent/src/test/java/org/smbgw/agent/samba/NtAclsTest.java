package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.acl.Inheritance;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.fs.ShareRoots;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.AclShare;

/**
 * Passing a root's ACL down through Samba's own store (its Python bindings; samba-tool, a separate
 * reader, checks the result), and what a share's user cannot make it do by changing the tree
 * between the reading and the setting: no link is followed out of the share, and no ACL lands on
 * a file other than the one it was computed for.
 */
class NtAclsTest {
  private static final String GRP = "S-1-22-2-0";
  private static final String READER = "S-1-5-21-1-2-3-1000001";
  private static final String LATER = "S-1-5-21-1-2-3-1000002";
  private static final String BEFORE = "O:S-1-22-1-0G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;S-1-5-18)"
      + "(A;OICI;0x001200a9;;;" + READER + ")";
  private static final String AFTER = BEFORE + "(A;OICI;0x001200a9;;;" + LATER + ")";
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new MetricRegistry()),
      Duration.ofSeconds(60));

  /** d/ and d/f.txt under the root, with the ACLs smbd gives them under BEFORE. */
  private static void tree(AclShare s, NtAcls acls) throws Exception {
    s.set(s.root(), (BEFORE));
    Files.writeString(Files.createDirectories(s.root().resolve("d")).resolve("f.txt"), "x");
    Files.writeString(Files.createDirectories(s.root().resolve("e")).resolve("g.txt"), "x");
    String inherited = "(A;OICIID;0x001f01ff;;;S-1-5-18)(A;OICIID;0x001200a9;;;" + READER + ")";
    for (String d : new String[] {"d", "e"}) {
      s.set(s.root().resolve(d), ("O:S-1-22-1-0G:" + GRP + "D:AI" + inherited));
    }
    for (String f : new String[] {"d/f.txt", "e/g.txt"}) {
      s.set(s.root().resolve(f), ("O:S-1-22-1-0G:" + GRP + "D:AI"
          + inherited.replace("OICIID", "ID")));
    }
    s.set(s.root(), (AFTER));
  }

  /**
   * The helper guards a set with what Java read: "expect": null (none was stored: refuse if one
   * appeared) is not the same as no "expect" (not read), and a file without a folder inode or a
   * stored ACL says so with null. Leaving nulls out would silently drop the guard.
   */
  @Test
  void theLinesForTheHelperKeepTheirNullsForTheGuardsThatDependOnThem() throws Exception {
    NtAcls.Root root = new NtAcls.Root(java.nio.file.Path.of("/srv/a"), "a");
    Sddl acl = Sddl.parse("O:BAG:BAD:AI(A;OICI;FA;;;BA)");
    assertEquals("{\"root\":\"/srv/a\",\"service\":\"a\"}", NtAcls.rootLine(root, null, null));
    assertEquals("{\"root\":\"/srv/a\",\"service\":\"a\",\"sddl\":\"" + acl.text() + "\",\"expect\":null}",
        NtAcls.rootLine(root, acl, ""));
    assertEquals("{\"root\":\"/srv/a\",\"service\":\"a\",\"sddl\":\"" + acl.text() + "\",\"expect\":\"h1\"}",
        NtAcls.rootLine(root, acl, "h1"));
    assertEquals("{\"root\":\"/srv/a\",\"service\":\"a\",\"sddl\":\"" + acl.text() + "\"}",
        NtAcls.rootLine(root, acl, null));
    Inheritance.Node file = new Inheritance.Node("6162", 12, -1, 0, false, null, null, null);
    assertEquals("{\"path\":\"6162\",\"ino\":12,\"pino\":null,\"dir\":false,\"hash\":null,\"sddl\":\"" + acl.text()
        + "\"}", NtAcls.changeLine(new Inheritance.Change(file, acl)));
  }

  @Test
  void aRootsChangeReachesEveryFolderAndFileInSmbdsOwnStoreInRunsOfAnyLength() throws Exception {
    try (AclShare s = new AclShare(runner)) {
      NtAcls acls = s.ntAcls(runner, Duration.ZERO); // every run stops after one file: resumed each time
      tree(s, acls);
      NtAcls.PassedDown done = acls.passDown(s.root(), AclShare.NAME, new Inheritance.Walk());
      assertEquals(new Inheritance.Summary(4, 0, java.util.Map.of()), done.summary());
      assertEquals(0, done.failed(), done.failures().toString());
      assertEquals(0, done.missed());
      assertEquals("(A;ID;0x001200a9;;;" + LATER + ")", last(s.get(s.root().resolve("d/f.txt"))));
      assertEquals("(A;OICIID;0x001200a9;;;" + LATER + ")", last(s.get(s.root().resolve("e"))));
      assertEquals(0, acls.passDown(s.root(), AclShare.NAME, new Inheritance.Walk()).summary().changed(),
          "the second time, nothing changes");
    }
  }

  @Test
  void aLinkOrARenameBetweenReadingAndSettingIsNeverFollowedAndNeverGetsAnotherFilesAcl() throws Exception {
    try (AclShare s = new AclShare(runner)) {
      NtAcls acls = s.ntAcls(runner, Duration.ofSeconds(30));
      tree(s, acls);
      Path h = Files.writeString(s.root().resolve("d/h.txt"), "x");
      s.set(h, ("O:S-1-22-1-0G:" + GRP + "D:AI(A;ID;0x001f01ff;;;S-1-5-18)"));
      Path outside = s.outside();
      Path victim = Files.writeString(outside.resolve("victim.txt"), "not the share's");
      Files.createDirectories(outside.resolve("e"));
      Path farVictim = Files.writeString(outside.resolve("e/g.txt"), "not the share's either");
      // As a user could, while the tree is being read: d/f.txt becomes a link out of the share,
      // e a link to a folder outside it, and another file takes the place of e/g.txt's name.
      Inheritance.Walk meddled = new Inheritance.Walk() {
        @Override
        public Optional<Inheritance.Change> next(Inheritance.Node n) {
          Optional<Inheritance.Change> c = super.next(n);
          try {
            if (NtAcls.printable(n.path()).equals("/e/g.txt")) {
              Files.move(s.root().resolve("e"), s.root().resolve("e-moved"));
              Files.createSymbolicLink(s.root().resolve("e"), outside.resolve("e"));
            } else if (NtAcls.printable(n.path()).equals("/d/f.txt")) {
              Files.delete(s.root().resolve("d/f.txt"));
              Files.createSymbolicLink(s.root().resolve("d/f.txt"), victim);
            } else if (NtAcls.printable(n.path()).equals("/d/h.txt")) {
              Path other = Files.writeString(s.root().resolve("other.txt"), "another file");
              Files.move(other, h, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
          } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
          }
          return c;
        }
      };
      NtAcls.PassedDown done = acls.passDown(s.root(), AclShare.NAME, meddled);
      ShareRoots roots = new ShareRoots();
      assertFalse(roots.hasNtAcl(victim), "a link at the end of a path is never followed");
      assertFalse(roots.hasNtAcl(farVictim), "nor one in the middle");
      assertFalse(roots.hasNtAcl(h), "the file now at d/h.txt keeps no ACL computed for the one read there");
      assertEquals(0, done.failed(), done.failures().toString());
      assertEquals(4, done.missed(), "d/f.txt, d/h.txt, e and e/g.txt were not what was read: passed down again");
      assertEquals("(A;OICIID;0x001200a9;;;" + LATER + ")", last(s.get(s.root().resolve("d"))),
          "what was not meddled with changed");
    }
  }

  @Test
  void aFolderSwappedForAnotherWhileItIsReadDoesNotPassItsEntriesToTheOthersFiles() throws Exception {
    try (AclShare s = new AclShare(runner)) {
      NtAcls acls = s.ntAcls(runner, Duration.ZERO); // one file a run: the tree changes between runs
      s.set(s.root(), (AFTER));
      // A writer's folder granting them full control, with a file named as the victim's.
      String mine = "(A;OICI;0x001f01ff;;;" + READER + ")";
      Path a = Files.createDirectories(s.root().resolve("a"));
      s.set(a, ("O:S-1-22-1-0G:" + GRP + "D:AI" + mine));
      s.set(Files.writeString(a.resolve("secret"), "mine"), "O:S-1-22-1-0G:" + GRP + "D:AI(A;ID;0x001f01ff;;;"
          + READER + ")");
      // Someone else's protected folder and its secret, which only SYSTEM may open.
      Path v = Files.createDirectories(s.root().resolve("v"));
      s.set(v, ("O:S-1-22-1-0G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;S-1-5-18)"));
      Path secret = Files.writeString(v.resolve("secret"), "theirs");
      String theirs = "O:S-1-22-1-0G:" + GRP + "D:AI(A;ID;0x001f01ff;;;S-1-5-18)";
      s.set(secret, (theirs));
      Inheritance.Walk swapping = new Inheritance.Walk() {
        @Override
        public Optional<Inheritance.Change> next(Inheritance.Node n) {
          Optional<Inheritance.Change> c = super.next(n);
          if (NtAcls.printable(n.path()).equals("/a")) {
            try { // a listed, its secret not yet read: a goes away and v takes its name
              Files.move(a, s.root().resolve("a-old"));
              Files.move(v, a);
            } catch (java.io.IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
          }
          return c;
        }
      };
      NtAcls.PassedDown done = acls.passDown(s.root(), AclShare.NAME, swapping);
      assertEquals(theirs.replace("S-1-5-18)", "SY)"), s.get(s.root().resolve("a/secret")).text(),
          "the other folder's secret keeps its ACL: it was not in the folder that was listed");
      assertTrue(done.missed() >= 1, "and the pass-down is done again: " + done);
    }
  }

  @Test
  void rootsAreReadAndSetTogetherAndOneChangedInBetweenKeepsTheChange() throws Exception {
    try (AclShare s = new AclShare(runner)) {
      NtAcls acls = s.ntAcls(runner, Duration.ofSeconds(30));
      Path one = Files.createDirectories(s.root().resolve("one"));
      Path two = Files.createDirectories(s.root().resolve("two"));
      Path fresh = Files.createDirectories(s.root().resolve("fresh"));
      s.set(one, BEFORE);
      s.set(two, BEFORE);
      NtAcls.Root r1 = new NtAcls.Root(one, AclShare.NAME);
      NtAcls.Root r2 = new NtAcls.Root(two, AclShare.NAME);
      NtAcls.Root r3 = new NtAcls.Root(fresh, AclShare.NAME);
      java.util.List<String> recorded = new java.util.ArrayList<>();
      try (NtAcls.Batch batch = acls.batch()) {
        batch.prefetch(java.util.List.of(r1, r2, r3));
        assertEquals("(A;OICI;0x001200a9;;;" + READER + ")", last(acls.current(r1).orElseThrow()));
        assertEquals(Optional.empty(), acls.current(r3), "a root with no ACL stored");
        for (NtAcls.Root r : java.util.List.of(r1, r2, r3)) {
          acls.set(r, Sddl.parse(AFTER), () -> recorded.add(r.path().getFileName().toString()));
        }
        assertEquals(java.util.List.of(), recorded, "only staged until the flush");
        String mine = BEFORE + "(D;OICI;0x00000001;;;" + LATER + ")";
        s.set(two, mine); // an administrator's change between the reading and the setting
        java.util.Map<Path, String> failed = batch.flush();
        assertEquals(java.util.Set.of(two), failed.keySet(), failed.toString());
        assertTrue(failed.get(two).contains("changed since it was read"), failed.toString());
        assertEquals(java.util.List.of("one", "fresh"), recorded, "what follows a set runs for those set");
        assertTrue(s.get(two).text().contains("(D;OICI;CC;;;" + LATER + ")"), "the administrator's change stays");
      }
      assertEquals("(A;OICI;0x001200a9;;;" + LATER + ")", last(s.get(one)));
      assertEquals("(A;OICI;0x001200a9;;;" + LATER + ")", last(s.get(fresh)));
    }
  }

  private static String last(Sddl acl) {
    return acl.aces().get(acl.aces().size() - 1);
  }
}
