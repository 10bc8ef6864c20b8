package org.smbgw.agent.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a file or folder inherits, as smbd computes it for a new one (Samba's rules, checked
 * against smbd itself in WindowsAclsSurviveRestartTest), and how a root's change is passed down
 * to what already exists without touching anyone's own entries.
 */
class InheritanceTest {
  private static final String ANN = "S-1-5-21-1-2-3-1000001";
  private static final String BOB = "S-1-5-21-1-2-3-1000002";
  private static final String CY = "S-1-5-21-1-2-3-1000003";
  private static final String GRP = "S-1-22-2-991";
  /** A root as smbgw seeds it: SYSTEM, ann writes, CREATOR OWNER. */
  private static final String ROOT = "O:S-1-22-1-0G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;SY)"
      + "(A;OICI;0x001301ff;;;" + ANN + ")(A;OICIIO;0x001f01ff;;;CO)";

  private static List<String> texts(List<Sddl.Ace> aces) {
    return aces.stream().map(Sddl.Ace::text).toList();
  }

  private static List<Sddl.Ace> aces(String sddl) {
    return Sddl.parse(sddl).aces().stream().map(e -> Sddl.meaning(e).orElseThrow()).toList();
  }

  @Test
  void aFileGetsEveryObjectInheritableEntryMarkedInheritedWithItsOwnerForCreatorOwner() {
    assertEquals(List.of("(A;ID;0x001f01ff;;;S-1-5-18)", "(A;ID;0x001301ff;;;" + ANN + ")",
        "(A;ID;0x001f01ff;;;" + BOB + ")"), texts(Inheritance.inherited(aces(ROOT), true, false, BOB, GRP)));
  }

  @Test
  void aFolderKeepsPassingEntriesOnAndGetsItsOwnersEntryBesideTheCreatorOwnerOne() {
    assertEquals(List.of("(A;OICIID;0x001f01ff;;;S-1-5-18)", "(A;OICIID;0x001301ff;;;" + ANN + ")",
        "(A;ID;0x001f01ff;;;" + BOB + ")", "(A;OICIIOID;0x001f01ff;;;S-1-3-0)"),
        texts(Inheritance.inherited(aces(ROOT), true, true, BOB, GRP)));
  }

  @Test
  void noPropagateObjectOnlyAndContainerOnlyEntriesFollowWindowsRules() {
    String folder = "O:SYG:SYD:AI(A;OICINP;0x1;;;" + ANN + ")(A;OI;0x2;;;" + BOB + ")(A;CI;0x4;;;" + CY + ")"
        + "(A;OINP;0x8;;;" + ANN + ")(A;CIIO;0x10;;;S-1-3-1)(A;OICI;0x20;;;" + CY + ")";
    assertEquals(List.of("(A;ID;0x00000001;;;" + ANN + ")", "(A;OIIOID;0x00000002;;;" + BOB + ")",
        "(A;CIID;0x00000004;;;" + CY + ")", "(A;ID;0x00000010;;;" + GRP + ")", "(A;CIIOID;0x00000010;;;S-1-3-1)",
        "(A;OICIID;0x00000020;;;" + CY + ")"),
        texts(Inheritance.inherited(aces(folder), true, true, BOB, GRP)), "a folder");
    assertEquals(List.of("(A;ID;0x00000001;;;" + ANN + ")", "(A;ID;0x00000002;;;" + BOB + ")",
        "(A;ID;0x00000008;;;" + ANN + ")", "(A;ID;0x00000020;;;" + CY + ")"),
        texts(Inheritance.inherited(aces(folder), true, false, BOB, GRP)), "a file");
  }

  @Test
  void withoutAutoInheritanceNothingIsMarkedInherited() {
    assertEquals(List.of("(A;;0x001f01ff;;;S-1-5-18)", "(A;;0x001301ff;;;" + ANN + ")",
        "(A;;0x001f01ff;;;" + BOB + ")"),
        texts(Inheritance.inherited(aces(ROOT.replace("D:PAI", "D:P")), false, false, BOB, GRP)));
  }

  /** A walk over a whole tree: its changes, and its summary last. */
  private record Walked(List<Inheritance.Change> changes, Inheritance.Summary summary) {}

  private static Walked walk(List<Inheritance.Node> tree) {
    Inheritance.Walk w = new Inheritance.Walk();
    List<Inheritance.Change> changes = new java.util.ArrayList<>();
    tree.forEach(n -> w.next(n).ifPresent(changes::add));
    return new Walked(changes, w.summary());
  }

  private static Inheritance.Node node(String path, int up, boolean dir, String sddl) {
    return new Inheritance.Node(path, up, dir, sddl == null ? null : Sddl.parse(sddl), null);
  }

  /** What smbd gave a folder made under {@code root} by {@code owner}, with {@code own} entries of its own. */
  private static String made(String root, String owner, boolean dir, String own) {
    return "O:" + owner + "G:" + GRP + "D:AI" + own
        + String.join("", texts(Inheritance.inherited(aces(root), true, dir, owner, GRP)));
  }

  @Test
  void aRootChangeReachesEverythingInsideAndKeepsTheirOwnEntries() {
    String newRoot = ROOT.replace("(A;OICIIO", "(A;OICI;0x001200a9;;;" + CY + ")(A;OICIIO");
    String denyAnn = "(D;OICI;0x001200a9;;;" + ANN + ")";
    List<Inheritance.Node> tree = List.of(
        node("r", -1, true, newRoot),
        node("proj", 0, true, made(ROOT, BOB, true, denyAnn)),
        node("proj/a.txt", 1, false, made(made(ROOT, BOB, true, denyAnn), ANN, false, "")),
        node("top.txt", 0, false, made(ROOT, ANN, false, "")));
    Walked p = walk(tree);
    assertEquals(3, p.changes().size(), p.toString());
    assertEquals(made(newRoot, BOB, true, denyAnn), p.changes().get(0).acl().text(),
        "the folder keeps its own denial first and inherits the new reader");
    assertEquals(made(made(newRoot, BOB, true, denyAnn), ANN, false, ""), p.changes().get(1).acl().text(),
        "a file inside inherits its folder's denial and, through it, the new reader");
    assertEquals(made(newRoot, ANN, false, ""), p.changes().get(2).acl().text());
    assertEquals("proj/a.txt", p.changes().get(1).path());
    assertEquals(new Inheritance.Summary(3, 0, Map.of()), p.summary());

    Walked again = walk(List.of(node("r", -1, true, newRoot), node("proj", 0, true, made(newRoot, BOB, true, denyAnn)),
        node("top.txt", 0, false, made(newRoot, ANN, false, ""))));
    assertEquals(List.of(), again.changes(), "passing down twice changes nothing the second time");
    assertEquals(new Inheritance.Summary(0, 2, Map.of()), again.summary(), "top.txt follows proj: its folder is the root");
  }

  @Test
  void protectedUnreadableAndUnstoredAclsAreLeftAsTheyAreAndSoIsWhatIsInsideTheUnreadableOnes() {
    String newRoot = ROOT.replace("(A;OICIIO", "(A;OICI;0x001200a9;;;" + CY + ")(A;OICIIO");
    String mine = "O:" + BOB + "G:" + GRP + "D:PAI(A;OICI;0x001f01ff;;;" + BOB + ")";
    List<Inheritance.Node> tree = List.of(
        node("r", -1, true, newRoot),
        node("private", 0, true, mine),
        node("private/stale.txt", 1, false, made(newRoot, ANN, false, "")),
        node("odd", 0, true, "O:" + BOB + "G:" + GRP + "D:AI(XA;;0x1;;;" + ANN + ";(x))"),
        node("odd/f.txt", 3, false, made(ROOT, ANN, false, "")),
        node("host.txt", 0, false, null),
        new Inheritance.Node("broken", 0, true, null, "permission denied"),
        node("broken/f.txt", 6, false, made(ROOT, ANN, false, "")));
    Walked p = walk(tree);
    assertEquals(1, p.changes().size(), p.toString());
    assertEquals("private/stale.txt", p.changes().get(0).path(), "inside a protected folder, its own ACL is inherited");
    assertEquals(made(mine, ANN, false, ""), p.changes().get(0).acl().text());
    assertEquals(new Inheritance.Summary(1, 0, Map.of(Inheritance.PROTECTED, 1, Inheritance.UNREADABLE, 2,
        Inheritance.ABOVE, 2, Inheritance.NO_ACL, 1)), p.summary());
    assertEquals(6, p.summary().leftCount());
  }
}
