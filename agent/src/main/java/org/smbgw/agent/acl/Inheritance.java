package org.smbgw.agent.acl;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How a folder's ACL reaches what is inside it. When a new file or folder is made, smbd gives it
 * the entries its folder lets it inherit (MS-DTYP 2.5.3.4, as Samba computes them); when a
 * folder's ACL changes later, Windows passes the change down by computing them again for
 * everything inside, keeping each one's own (explicit) entries. smbgw does the same when a
 * share's lists change its entries on the root, so an existing folder ends up with the ACL a
 * folder made after the change would get. Pure.
 */
public final class Inheritance {
  private Inheritance() {}

  /**
   * The entries a child inherits from its folder's, marked inherited (ID): what smbd gives a new
   * child of a folder whose DACL is marked auto-inherited ("AI"; of one that is not, smbd marks
   * nothing, and the child's own entries can no longer be told from inherited ones). An entry
   * twice over (an administrator's own, and CREATOR OWNER's for the file they made) is kept once,
   * the first time, as smbd keeps it.
   *
   * @param owner the child's owner, who stands in for CREATOR OWNER
   * @param group the child's group, who stands in for CREATOR GROUP
   */
  public static List<Sddl.Ace> inherited(List<Sddl.Ace> folder, boolean container, String owner, String group) {
    int mark = Sddl.INHERITED;
    List<Sddl.Ace> out = new ArrayList<>();
    for (Sddl.Ace ace : folder) {
      int f = ace.flags();
      boolean inheritable = container
          ? (f & Sddl.CONTAINER_INHERIT) != 0 || ((f & Sddl.OBJECT_INHERIT) != 0 && (f & Sddl.NO_PROPAGATE) == 0)
          : (f & Sddl.OBJECT_INHERIT) != 0;
      if (!inheritable) {
        continue;
      }
      int flags = 0;
      if (container) {
        flags = f & ~(Sddl.INHERIT_ONLY | Sddl.INHERITED);
        if ((flags & Sddl.CONTAINER_INHERIT) == 0) {
          flags |= Sddl.INHERIT_ONLY; // passed on to files only
        }
        if ((flags & Sddl.NO_PROPAGATE) != 0) {
          flags = 0;
        }
      }
      String creator = ace.sid().equals(RootAcl.CREATOR_OWNER) || ace.sid().equals(CREATOR_GROUP) ? ace.sid() : null;
      String trustee = creator == null ? ace.sid() : creator.equals(RootAcl.CREATOR_OWNER) ? owner : group;
      if (creator != null && container && (flags & Sddl.CONTAINER_INHERIT) != 0) {
        // The creator's own entry, and the CREATOR entry kept for what is made inside later.
        out.add(new Sddl.Ace(ace.type(), mark, ace.mask(), trustee));
        out.add(new Sddl.Ace(ace.type(), flags | Sddl.INHERIT_ONLY | mark, ace.mask(), creator));
        continue;
      }
      if (container && (f & Sddl.NO_PROPAGATE) == 0) {
        trustee = ace.sid(); // an entry passed on unused keeps naming its CREATOR
      }
      out.add(new Sddl.Ace(ace.type(), flags | mark, ace.mask(), trustee));
    }
    return out.stream().distinct().toList();
  }

  static final String CREATOR_GROUP = "S-1-3-1";

  /** One file or folder of a tree, as read. */
  /**
   * @param path opaque: what the reader needs to find it again
   * @param ino its inode; {@code pino} its folder's
   * @param up the line its folder was read at
   * @param hash a hash of its ACL as stored, so it is set only if it still has that one
   */
  public record Node(String path, long ino, long pino, int up, boolean dir, String hash, Sddl acl, String problem) {}

  /** A new ACL for the file or folder {@code read}, if it still has the ACL it was read with. */
  public record Change(Node read, Sddl acl) {}

  /**
   * What passing a root's ACL down changed.
   *
   * @param changed how many files and folders got a new ACL
   * @param unchanged how many already had what they should
   * @param left why the others were left as they are, and how many for each reason
   */
  public record Summary(int changed, int unchanged, Map<String, Integer> left) {
    public int leftCount() {
      return left.values().stream().mapToInt(Integer::intValue).sum();
    }
  }

  static final String PROTECTED = "they inherit nothing (protected from Windows)";
  static final String NO_ACL = "they have no Windows ACL of their own (made outside Samba)";
  static final String UNREADABLE = "their ACL could not be read, or holds entries smbgw does not read";
  static final String ABOVE = "a folder above them was left as it is";
  static final String NOT_MARKED = "their ACL or their folder's is not marked auto-inherited, so their own entries "
      + "cannot be told from inherited ones";

  /**
   * Passes a root's ACL down a tree read one file or folder at a time, the root first and each
   * folder before what it holds, depth first ({@link Node#up} is the line its folder was read
   * at). Every file and folder gets the entries its folder passes on, computed again, and keeps
   * its own: what Windows does when a folder's permissions change. One whose DACL is protected
   * keeps its ACL, and what is inside it inherits from that; one smbgw cannot read (or made
   * outside Samba, with no ACL stored) is left as it is, with what is inside it. Only the folders
   * above the one being read are held, so a tree of any size passes in little memory. (Not final:
   * a test steps in between reading and setting, as a user might.)
   */
  public static class Walk {
    /**
     * A folder above the one being read: its ACL (null: left as it was), and its entries read
     * once for everything inside it (null: one could not be read).
     */
    private record Folder(int line, Sddl acl, List<Sddl.Ace> entries) {
      Folder(int line, Sddl acl) {
        this(line, acl, acl == null ? null : meaningsOf(acl).orElse(null));
      }
    }

    private final Deque<Folder> above = new ArrayDeque<>();
    private final Map<String, Integer> left = new TreeMap<>();
    private int line;
    private int changed;
    private int unchanged;

    /**
     * The next file or folder of the tree; its new ACL, if it changes.
     *
     * @throws IllegalStateException if the root's ACL cannot be read (nothing can be passed down
     *     from it), or the tree is not in the order described
     */
    public Optional<Change> next(Node n) {
      int at = line++;
      if (at == 0) {
        if (n.up() >= 0 || n.problem() != null || n.acl() == null) {
          throw new IllegalStateException("the root's ACL cannot be read, so nothing is passed down from it: "
              + (n.problem() != null ? n.problem() : n.acl() == null ? "it has none stored" : "it is not first"));
        }
        above.push(new Folder(at, n.acl()));
        return Optional.empty();
      }
      while (!above.isEmpty() && above.peek().line() != n.up()) {
        above.pop();
      }
      if (above.isEmpty()) {
        throw new IllegalStateException("line " + at + " names line " + n.up() + " as its folder, which is not above it");
      }
      Folder up = above.peek();
      Sddl folder = up.acl();
      String why = null;
      Sddl now = null;
      if (folder == null) {
        why = ABOVE;
      } else if (n.problem() != null) {
        why = UNREADABLE;
      } else if (n.acl() == null) {
        why = NO_ACL;
      } else if (n.acl().protectedDacl()) {
        now = n.acl();
        why = PROTECTED;
      } else if (!folder.autoInherited() || !n.acl().autoInherited()) {
        why = NOT_MARKED;
      } else {
        now = up.entries() == null ? null : recompute(up.entries(), n.acl(), n.dir()).orElse(null);
        why = now == null ? UNREADABLE : null;
      }
      if (n.dir()) {
        above.push(new Folder(at, now));
      }
      if (why != null) {
        left.merge(why, 1, Integer::sum);
        return Optional.empty();
      }
      if (now.aces().size() == n.acl().aces().size() && meanings(now).equals(meanings(n.acl()))) {
        unchanged++;
        return Optional.empty();
      }
      changed++;
      return Optional.of(new Change(n, now));
    }

    public Summary summary() {
      return new Summary(changed, unchanged, Map.copyOf(left));
    }
  }

  /**
   * A child's ACL with its inherited entries computed again from its folder's entries: its own
   * entries first, as they are, then the inherited ones. Empty when one of its entries cannot be
   * read (whether it is inherited is then unknown).
   */
  static Optional<Sddl> recompute(List<Sddl.Ace> folder, Sddl child, boolean container) {
    Optional<List<Sddl.Ace>> childAces = meaningsOf(child);
    String owner = Sddl.sidOf(child.owner());
    String group = Sddl.sidOf(child.group());
    if (childAces.isEmpty() || owner == null || group == null) {
      return Optional.empty();
    }
    List<String> aces = new ArrayList<>();
    for (int i = 0; i < child.aces().size(); i++) {
      if (!childAces.get().get(i).inherited()) {
        aces.add(child.aces().get(i));
      }
    }
    inherited(folder, container, owner, group).forEach(a -> aces.add(a.text()));
    return Optional.of(new Sddl(child.owner(), child.group(), child.daclFlags(), aces, child.sacl()));
  }

  private static Optional<List<Sddl.Ace>> meaningsOf(Sddl acl) {
    List<Sddl.Ace> out = new ArrayList<>();
    for (String e : acl.aces()) {
      Optional<Sddl.Ace> m = Sddl.meaning(e);
      if (m.isEmpty()) {
        return Optional.empty();
      }
      out.add(m.get());
    }
    return Optional.of(out);
  }

  private static List<Sddl.Ace> meanings(Sddl acl) {
    return meaningsOf(acl).orElse(List.of());
  }
}
