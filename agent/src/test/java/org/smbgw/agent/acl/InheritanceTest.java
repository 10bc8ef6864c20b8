package org.smbgw.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a file or folder inherits, as smbd computes it for a new one (Samba's rules; checked
 * against smbd itself in WindowsAclsSurviveRestartTest), and how a root's change is passed down
 * to what already exists without touching anyone's own entries. Expected ACLs are written out.
 */
class InheritanceTest {
  private static final String ANN = "S-1-5-21-1-2-3-1000001";
  private static final String BOB = "S-1-5-21-1-2-3-1000002";
  private static final String CY = "S-1-5-21-1-2-3-1000003";
  private static final String GRP = "S-1-22-2-991";
  /** A root as smbgw seeds it: SYSTEM, ann writes, CREATOR OWNER. */
  private static final String ROOT = "O:S-1-22-1-0G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;SY)"
      + "(A;OICI;0x001301ff;;;" + ANN + ")(A;OICIIO;0x001f01ff;;;CO)";
  /** The same after cy was added as a reader. */
  private static final String NEW_ROOT = "O:S-1-22-1-0G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;SY)"
      + "(A;OICI;0x001301ff;;;" + ANN + ")(A;OICI;0x001200a9;;;" + CY + ")(A;OICIIO;0x001f01ff;;;CO)";

  private static List<String> texts(List<Sddl.Ace> aces) {
    return aces.stream().map(Sddl.Ace::text).toList();
  }

  private static List<Sddl.Ace> aces(String sddl) {
    return Sddl.parse(sddl).aces().stream().map(e -> Sddl.meaning(e).orElseThrow()).toList();
  }

  @Test
  void aFileGetsEveryObjectInheritableEntryMarkedInheritedWithItsOwnerForCreatorOwner() {
    assertEquals(List.of("(A;ID;0x001f01ff;;;S-1-5-18)", "(A;ID;0x001301ff;;;" + ANN + ")",
        "(A;ID;0x001f01ff;;;" + BOB + ")"), texts(Inheritance.inherited(aces(ROOT), false, BOB, GRP)));
  }

  @Test
  void aFolderKeepsPassingEntriesOnAndGetsItsOwnersEntryBesideTheCreatorOwnerOne() {
    assertEquals(List.of("(A;OICIID;0x001f01ff;;;S-1-5-18)", "(A;OICIID;0x001301ff;;;" + ANN + ")",
        "(A;ID;0x001f01ff;;;" + BOB + ")", "(A;OICIIOID;0x001f01ff;;;S-1-3-0)"),
        texts(Inheritance.inherited(aces(ROOT), true, BOB, GRP)));
  }

  @Test
  void anEntryInheritedTwiceIsKeptOnceWhereItFirstCame() {
    assertEquals(List.of("(A;ID;0x001f01ff;;;S-1-5-18)", "(A;ID;0x001f01ff;;;" + ANN + ")"),
        texts(Inheritance.inherited(aces(ROOT.replace("0x001301ff", "0x001f01ff")), false, ANN, GRP)),
        "ann's own full control and CREATOR OWNER's for her file are one entry");
  }

  @Test
  void noPropagateObjectOnlyAndContainerOnlyEntriesFollowWindowsRules() {
    String folder = "O:SYG:SYD:AI(A;OICINP;0x1;;;" + ANN + ")(A;OI;0x2;;;" + BOB + ")(A;CI;0x4;;;" + CY + ")"
        + "(A;OINP;0x8;;;" + ANN + ")(A;CIIO;0x10;;;S-1-3-1)(A;OICI;0x20;;;" + CY + ")";
    assertEquals(List.of("(A;ID;0x00000001;;;" + ANN + ")", "(A;OIIOID;0x00000002;;;" + BOB + ")",
        "(A;CIID;0x00000004;;;" + CY + ")", "(A;ID;0x00000010;;;" + GRP + ")", "(A;CIIOID;0x00000010;;;S-1-3-1)",
        "(A;OICIID;0x00000020;;;" + CY + ")"),
        texts(Inheritance.inherited(aces(folder), true, BOB, GRP)), "a folder");
    assertEquals(List.of("(A;ID;0x00000001;;;" + ANN + ")", "(A;ID;0x00000002;;;" + BOB + ")",
        "(A;ID;0x00000008;;;" + ANN + ")", "(A;ID;0x00000020;;;" + CY + ")"),
        texts(Inheritance.inherited(aces(folder), false, BOB, GRP)), "a file");
  }

  /** A walk over a whole tree: its changes, and its summary. */
  private record Walked(List<Inheritance.Change> changes, Inheritance.Summary summary) {}

  private static Walked walk(List<Inheritance.Node> tree) {
    Inheritance.Walk w = new Inheritance.Walk();
    List<Inheritance.Change> changes = new ArrayList<>();
    tree.forEach(n -> w.next(n).ifPresent(changes::add));
    return new Walked(changes, w.summary());
  }

  private static Inheritance.Node node(String path, int up, boolean dir, String sddl) {
    return new Inheritance.Node(path, path.hashCode(), 1, up, dir, "h", sddl == null ? null : Sddl.parse(sddl), null);
  }

  private static final String DENY_ANN = "(D;OICI;0x001200a9;;;" + ANN + ")";
  /** proj: bob's folder with his own denial of ann, as smbd made it under ROOT. */
  private static final String PROJ = "O:" + BOB + "G:" + GRP + "D:AI" + DENY_ANN + "(A;OICIID;0x001f01ff;;;S-1-5-18)"
      + "(A;OICIID;0x001301ff;;;" + ANN + ")(A;ID;0x001f01ff;;;" + BOB + ")(A;OICIIOID;0x001f01ff;;;S-1-3-0)";
  /** proj/a.txt: ann's file in it. */
  private static final String PROJ_A = "O:" + ANN + "G:" + GRP + "D:AI(D;ID;0x001200a9;;;" + ANN + ")"
      + "(A;ID;0x001f01ff;;;S-1-5-18)(A;ID;0x001301ff;;;" + ANN + ")(A;ID;0x001f01ff;;;" + ANN + ")";
  /** top.txt: ann's file at the root. */
  private static final String TOP = "O:" + ANN + "G:" + GRP + "D:AI(A;ID;0x001f01ff;;;S-1-5-18)"
      + "(A;ID;0x001301ff;;;" + ANN + ")(A;ID;0x001f01ff;;;" + ANN + ")";

  @Test
  void aRootChangeReachesEverythingInsideAndKeepsTheirOwnEntries() {
    Walked p = walk(List.of(node("", -1, true, NEW_ROOT), node("proj", 0, true, PROJ), node("proj/a.txt", 1, false,
        PROJ_A), node("top.txt", 0, false, TOP)));
    assertEquals(List.of("proj", "proj/a.txt", "top.txt"), p.changes().stream().map(c -> c.read().path()).toList());
    assertEquals("O:" + BOB + "G:" + GRP + "D:AI" + DENY_ANN + "(A;OICIID;0x001f01ff;;;S-1-5-18)"
        + "(A;OICIID;0x001301ff;;;" + ANN + ")(A;OICIID;0x001200a9;;;" + CY + ")(A;ID;0x001f01ff;;;" + BOB + ")"
        + "(A;OICIIOID;0x001f01ff;;;S-1-3-0)", p.changes().get(0).acl().text(),
        "the folder keeps its own denial first and inherits the new reader");
    assertEquals("O:" + ANN + "G:" + GRP + "D:AI(D;ID;0x001200a9;;;" + ANN + ")(A;ID;0x001f01ff;;;S-1-5-18)"
        + "(A;ID;0x001301ff;;;" + ANN + ")(A;ID;0x001200a9;;;" + CY + ")(A;ID;0x001f01ff;;;" + ANN + ")",
        p.changes().get(1).acl().text(), "a file inside inherits its folder's denial and, through it, the new reader");
    assertEquals(new Inheritance.Summary(3, 0, Map.of()), p.summary());

    Walked again = walk(List.of(node("", -1, true, NEW_ROOT), node("proj", 0, true, p.changes().get(0).acl().text()),
        node("top.txt", 0, false, p.changes().get(2).acl().text())));
    assertEquals(List.of(), again.changes(), "passing down twice changes nothing the second time");
    assertEquals(new Inheritance.Summary(0, 2, Map.of()), again.summary(), "top.txt follows proj: its folder is the root");
  }

  @Test
  void protectedUnmarkedUnreadableAndUnstoredAclsAreLeftAsTheyAreAndSoIsWhatIsInsideTheUnreadableOnes() {
    String mine = "O:" + BOB + "G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;" + BOB + ")";
    Walked p = walk(List.of(
        node("", -1, true, NEW_ROOT),
        node("private", 0, true, mine),
        node("private/stale.txt", 1, false, TOP),
        node("odd", 0, true, "O:" + BOB + "G:" + GRP + "D:AI(XA;;0x1;;;" + ANN + ";(x))"),
        node("odd/f.txt", 3, false, TOP),
        node("host.txt", 0, false, null),
        new Inheritance.Node("broken", 7, 1, 0, true, null, null, "permission denied"),
        node("broken/f.txt", 6, false, TOP),
        node("unmarked.txt", 0, false, TOP.replace("D:AI", "D:"))));
    assertEquals(1, p.changes().size(), p.toString());
    assertEquals("private/stale.txt", p.changes().get(0).read().path(), "inside a protected folder, its own ACL is inherited");
    assertEquals("O:" + ANN + "G:" + GRP + "D:AI(A;ID;0x001f01ff;;;" + BOB + ")", p.changes().get(0).acl().text());
    assertEquals(new Inheritance.Summary(1, 0, Map.of(Inheritance.PROTECTED, 1, Inheritance.UNREADABLE, 2,
        Inheritance.ABOVE, 2, Inheritance.NO_ACL, 1, Inheritance.NOT_MARKED, 1)), p.summary(),
        "a file whose ACL is not marked auto-inherited may hold unmarked copies of the old entries: left");
    assertEquals(7, p.summary().leftCount());
  }

  @Test
  void aRootThatCannotBeReadOrATreeOutOfOrderStopsThePassDown() {
    Inheritance.Walk noAcl = new Inheritance.Walk();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> noAcl.next(node("", -1, true, null)));
    assertTrue(e.getMessage().contains("root's ACL cannot be read"), e.getMessage());
    Inheritance.Walk lost = new Inheritance.Walk();
    lost.next(node("", -1, true, NEW_ROOT));
    lost.next(node("a", 0, false, TOP));
    assertThrows(IllegalStateException.class, () -> lost.next(node("b", 1, false, TOP)), "a file is no folder");
  }
}
