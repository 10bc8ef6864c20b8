package org.smbgw.agent.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.smbgw.agent.samba.NtAcl;
import org.smbgw.agent.samba.NtAcl.Ace;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/**
 * Decides a share root's Windows ACL from the share's lists. Pure.
 *
 * <p>The lists seed the root: readers may read, writers and admins have full control (what the
 * stock Samba share gives a file's owner; with less, Samba's own conformance suite fails where
 * the stock share passes), all inherited by what is created below. Entries name Unix SIDs
 * ({@code S-1-22-1-uid}, {@code S-1-22-2-gid}), which Samba puts in every local user's token.
 *
 * <p>An administrator's own entries are never touched: smbgw remembers the entries it made and,
 * when the lists change, takes away those no longer wanted and adds the new ones. An entry smbgw
 * made that an administrator removed stays removed until the lists change that user's rights:
 * a daemon that puts back what an administrator just took away from Explorer would be fought,
 * not used. An entry an administrator changed is theirs.
 */
public final class RootAcl {
  private RootAcl() {}

  /** A name from the lists and the rights it gets. */
  public record Grant(String name, boolean group, int mask) {
    @Override
    public String toString() {
      return (group ? "@" : "") + name + (mask == Ace.FULL ? " full control" : " read");
    }
  }

  public static final String ROOT_SID = "S-1-22-1-0";

  /** The lists as grants, the strongest right per name. */
  public static List<Grant> grants(ShareSpec s) {
    Map<String, Grant> out = new LinkedHashMap<>();
    add(out, s.getRead(), Ace.READ);
    int writes = s.getReadOnly() ? Ace.READ : Ace.FULL;
    add(out, s.getWrite(), writes);
    add(out, s.getAdmin(), writes);
    return List.copyOf(out.values());
  }

  private static void add(Map<String, Grant> out, Access a, int mask) {
    a.getUsersList().forEach(u -> out.merge("u:" + u, new Grant(u, false, mask), RootAcl::stronger));
    a.getGroupsList().forEach(g -> out.merge("g:" + g, new Grant(g, true, mask), RootAcl::stronger));
  }

  private static Grant stronger(Grant a, Grant b) {
    return b.mask() == Ace.FULL ? b : a;
  }

  /** The entries the grants come to here; a name with no account or group here cannot log in and is left out. */
  public static List<Ace> aces(List<Grant> grants, Map<String, UnixAccount> accounts, Map<String, Integer> groups) {
    List<Ace> out = new ArrayList<>();
    for (Grant g : grants) {
      if (g.group()) {
        Integer gid = groups.get(g.name());
        if (gid != null) {
          out.add(new Ace(Ace.ALLOW, Ace.INHERIT, g.mask(), "S-1-22-2-" + gid));
        }
      } else {
        UnixAccount a = accounts.get(g.name());
        if (a != null) {
          out.add(new Ace(Ace.ALLOW, Ace.INHERIT, g.mask(), "S-1-22-1-" + a.uid()));
        }
      }
    }
    return out;
  }

  /** Inheritable entries one ACL has that the other has not, both ways. */
  public record Change(List<Ace> added, List<Ace> removed) {}

  public static Change change(NtAcl from, NtAcl to) {
    List<Ace> added = to.aces().stream().filter(a -> (a.flags() & Ace.INHERIT) != 0 && !from.aces().contains(a)).toList();
    List<Ace> removed = from.aces().stream().filter(a -> (a.flags() & Ace.INHERIT) != 0 && !to.aces().contains(a)).toList();
    return new Change(added, removed);
  }

  /**
   * The root's next ACL, or empty when it stays as it is.
   *
   * @param current the root's ACL now
   * @param remembered the entries smbgw made before, null when it made none
   * @param groupId the share group's id (the root's group)
   */
  public static Optional<NtAcl> next(NtAcl current, List<Ace> remembered, List<Ace> wanted, int groupId) {
    if (!current.stored()) {
      // What Samba shows for a root without an ACL comes from its mode bits (the share group's
      // full access): nobody chose it, so the lists' entries replace it.
      return Optional.of(new NtAcl(true, ROOT_SID, "S-1-22-2-" + groupId, NtAcl.PROTECTED, wanted));
    }
    List<Ace> before = remembered == null ? List.of() : remembered;
    List<Ace> aces = new ArrayList<>(current.aces());
    before.stream().filter(a -> !wanted.contains(a)).forEach(aces::remove);
    wanted.stream().filter(a -> !before.contains(a) && !aces.contains(a)).forEach(aces::add);
    if (aces.equals(current.aces())) {
      return Optional.empty();
    }
    return Optional.of(new NtAcl(true, current.owner(), current.group(), current.control(), aces));
  }
}
