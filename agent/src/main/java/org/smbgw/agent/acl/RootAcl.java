package org.smbgw.agent.acl;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/**
 * The entries smbgw puts on a share root's Windows ACL, and how they go in beside entries an
 * administrator set. The share's lists seed them: its administrators get full control, its
 * writers modify and delete (see {@link #WRITE}), its readers read and execute, all inherited by
 * what is made inside; SYSTEM and root (administrators connect as root) get full control, and
 * whoever makes a file or folder inside gets full control of it (CREATOR OWNER), as on a Windows
 * file server. A share whose lists
 * are empty lets everyone who may connect read (Everyone: its section lets any account in, and
 * guests where it admits them). Pure.
 */
public final class RootAcl {
  public static final int READ = 0x001200a9;
  /**
   * Windows' "modify" (0x001301bf) and deleting what is in a folder (FILE_DELETE_CHILD), as
   * smbgw's writers could before ACLs: without it a writer cannot delete another's file, nor a
   * folder whose ACL took their own rights away (smbtorture's delete-on-close-perms tests).
   */
  public static final int WRITE = 0x001301ff;
  public static final int FULL = 0x001f01ff;
  public static final String SYSTEM = "S-1-5-18";
  public static final String CREATOR_OWNER = "S-1-3-0";
  public static final String EVERYONE = "S-1-1-0";
  /** Samba's SID for the Unix user root: the owner of every share root. */
  public static final String UNIX_ROOT = "S-1-22-1-0";
  private static final int INHERIT = Sddl.OBJECT_INHERIT | Sddl.CONTAINER_INHERIT;

  /** Samba's SID for a Unix group without a group mapping. */
  public static String unixGroup(int gid) {
    return "S-1-22-2-" + Integer.toUnsignedString(gid);
  }

  private RootAcl() {}

  /**
   * @param entries in the order they go on the ACL
   * @param unresolved names on the lists with no SID here (no such account yet): left out
   */
  public record Entries(List<Sddl.Ace> entries, List<String> unresolved) {
    /** What smbgw records as made by it, one entry per line. */
    public String record() {
      return entries.stream().map(Sddl.Ace::text).collect(Collectors.joining("\n"));
    }
  }

  /**
   * @param userSid a user's SID on this node, if it has one
   * @param groupSid a Unix group's SID on this node, if the group exists
   */
  public static Entries entries(ShareSpec spec, Function<String, Optional<String>> userSid,
      Function<String, Optional<String>> groupSid) {
    Map<String, Integer> level = new LinkedHashMap<>();
    List<String> unresolved = new ArrayList<>();
    grant(spec.getAdmin(), FULL, level, unresolved, userSid, groupSid);
    grant(spec.getWrite(), spec.getReadOnly() ? READ : WRITE, level, unresolved, userSid, groupSid);
    grant(spec.getRead(), READ, level, unresolved, userSid, groupSid);
    boolean listed = spec.getAdmin().getUsersCount() + spec.getAdmin().getGroupsCount() + spec.getWrite().getUsersCount()
        + spec.getWrite().getGroupsCount() + spec.getRead().getUsersCount() + spec.getRead().getGroupsCount() > 0;
    List<Sddl.Ace> out = new ArrayList<>();
    out.add(allow(INHERIT, FULL, SYSTEM));
    out.add(allow(INHERIT, FULL, UNIX_ROOT));
    if (!listed) {
      out.add(allow(INHERIT, READ, EVERYONE));
    }
    level.forEach((sid, mask) -> out.add(allow(INHERIT, mask, sid)));
    out.add(allow(INHERIT | Sddl.INHERIT_ONLY, FULL, CREATOR_OWNER));
    return new Entries(out, unresolved);
  }

  private static void grant(Access a, int mask, Map<String, Integer> level, List<String> unresolved,
      Function<String, Optional<String>> userSid, Function<String, Optional<String>> groupSid) {
    for (String u : a.getUsersList()) {
      userSid.apply(u).ifPresentOrElse(sid -> level.putIfAbsent(sid, mask), () -> unresolved.add(u));
    }
    for (String g : a.getGroupsList()) {
      groupSid.apply(g).ifPresentOrElse(sid -> level.putIfAbsent(sid, mask), () -> unresolved.add("@" + g));
    }
  }

  private static Sddl.Ace allow(int flags, int mask, String sid) {
    return new Sddl.Ace("A", flags, mask, sid);
  }

  /**
   * First line of the record written before the root's ACL is set: a root whose record starts so
   * may or may not have the entries (the agent stopped, or setting them failed, in between), and is
   * served read-only until they are set again.
   */
  public static final String UNFINISHED = "# smbgw: setting these entries";

  /**
   * First line of the record of a root whose entries are set but not yet passed down to what is
   * inside (a list change): the root is served as it is, and the pass-down is done again.
   */
  public static final String PASSING_DOWN = "# smbgw: passing these entries down";

  /** The record of a root that has {@code entries}, owing the pass-down. */
  public static String passingDown(Entries entries) {
    return PASSING_DOWN + "\n" + entries.record();
  }

  /** Whether a record names any entry (not just a mark). */
  public static boolean namesEntries(String record) {
    return record != null && !union(record, "").isEmpty();
  }

  /** The record written before setting {@code entries}: what was recorded, those, and the mark. */
  public static String unfinished(String recorded, Entries entries) {
    return UNFINISHED + "\n" + union(recorded, entries.record());
  }

  /** Two records as one: the entries of both, once each, in order, without marks. */
  public static String union(String a, String b) {
    LinkedHashSet<String> lines = new LinkedHashSet<>(a.lines().toList());
    lines.addAll(b.lines().toList());
    lines.remove("");
    lines.remove(UNFINISHED);
    lines.remove(PASSING_DOWN);
    return String.join("\n", lines);
  }

  /**
   * The root's ACL with smbgw's entries as {@code wanted}: the entries it recorded as its own last
   * time are taken out, every other entry stays (an administrator's denials first, as Windows
   * orders them, then their grants, then smbgw's, then inherited ones), and owner and group stay.
   * The DACL is marked auto-inherited if it was not.
   *
   * @param current the root's ACL now; null when it has none stored yet (what Samba would show is
   *     made up from the mode bits and is replaced)
   * @param recorded the entries smbgw recorded as its own, one per line; empty for none
   * @param groupSid the share group's SID: group of a root that had no ACL yet
   */
  public static Sddl merge(Sddl current, String recorded, Entries wanted, String groupSid) {
    List<String> ours = wanted.entries().stream().map(Sddl.Ace::text).toList();
    if (current == null) {
      return new Sddl(UNIX_ROOT, groupSid, "PAI", ours, "");
    }
    Set<Sddl.Ace> mine = recorded.lines().map(Sddl::meaning).flatMap(Optional::stream).collect(Collectors.toSet());
    mine.addAll(wanted.entries());
    List<String> denies = new ArrayList<>();
    List<String> grants = new ArrayList<>();
    List<String> inherited = new ArrayList<>();
    for (String entry : current.aces()) {
      Optional<Sddl.Ace> m = Sddl.meaning(entry);
      if (m.isPresent() && mine.contains(m.get())) {
        continue;
      }
      if (m.isPresent() && m.get().inherited()) {
        inherited.add(entry);
      } else if (m.isPresent() && m.get().deny()) {
        denies.add(entry);
      } else {
        grants.add(entry);
      }
    }
    List<String> aces = new ArrayList<>(denies);
    aces.addAll(grants);
    aces.addAll(ours);
    aces.addAll(inherited);
    // Marked auto-inherited, so what is made inside marks what it inherits (smbcacls, and Samba
    // for clients that set an ACL without "inheritance required", drop the mark).
    return new Sddl(current.owner(), current.group(), current.daclFlags(), aces, current.sacl()).withAutoInherited();
  }
}
