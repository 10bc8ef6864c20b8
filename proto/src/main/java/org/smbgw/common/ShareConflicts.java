package org.smbgw.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;

/**
 * The rules between two shares, written once for the agent's desired state and the coordinator's
 * writes: share names must differ ignoring case as Samba and its clients fold it
 * ({@link Names#uniquenessKey}), and two directory shares must not serve the same directory or one
 * inside the other (each would see, and set owner and mode on, the other's files). Pure.
 */
public final class ShareConflicts {
  private ShareConflicts() {}

  /**
   * What {@code share} breaks against {@code other}, each violation naming the other share.
   *
   * @param prefix how {@code share}'s fields are named in messages, for example {@code "spec"}
   * @param what how the other share is introduced, for example {@code "existing share"}
   */
  public static List<Violation> between(String prefix, ShareSpec share, ShareSpec other, String what) {
    List<Violation> out = new ArrayList<>();
    if (Names.uniquenessKey(share.getName()).equals(Names.uniquenessKey(other.getName()))) {
      out.add(new Violation(prefix + ".name", "share names must differ ignoring case, as Samba and "
          + "SMB clients compare them; " + Text.quote(share.getName()) + " is the same name as " + what
          + " " + Text.quote(other.getName())));
    }
    Path mine = directory(share);
    Path theirs = directory(other);
    if (mine != null && theirs != null) {
      String field = prefix + ".storage.directory.path";
      String named = what + " " + Text.quote(other.getName());
      if (mine.equals(theirs)) {
        out.add(new Violation(field, "is the directory of " + named + " already; two shares cannot "
            + "serve one directory"));
      } else if (mine.startsWith(theirs)) {
        out.add(new Violation(field, "is inside " + theirs + ", the directory of " + named
            + "; shares cannot be nested"));
      } else if (theirs.startsWith(mine)) {
        out.add(new Violation(field, "contains " + theirs + ", the directory of " + named
            + "; shares cannot be nested"));
      }
    }
    return out;
  }

  /** Every conflict of {@code share} with any of {@code others}. */
  public static List<Violation> among(String prefix, ShareSpec share, Iterable<ShareSpec> others, String what) {
    return new Among(others).conflicts(prefix, share, what);
  }

  /**
   * Shares indexed once by name key and directory, so that checking a share against them costs a
   * few look-ups instead of one comparison with each: checking each of 1,000 shares against the
   * others was half a million comparisons, a second of a pass and of an apply. The violations are
   * {@link #between}'s, for the conflicting shares in the order they were added.
   */
  public static final class Among {
    private final List<ShareSpec> shares = new ArrayList<>();
    private final Map<String, List<Integer>> byName = new HashMap<>();
    /** By normalized absolute directory; its string order puts a directory's descendants after it. */
    private final NavigableMap<String, List<Integer>> byDirectory = new TreeMap<>();

    public Among() {
    }

    public Among(Iterable<ShareSpec> shares) {
      shares.forEach(this::add);
    }

    public void add(ShareSpec share) {
      int i = shares.size();
      shares.add(share);
      byName.computeIfAbsent(Names.uniquenessKey(share.getName()), k -> new ArrayList<>()).add(i);
      Path dir = directory(share);
      if (dir != null) {
        byDirectory.computeIfAbsent(dir.toString(), k -> new ArrayList<>()).add(i);
      }
    }

    /** What {@code share} breaks against the shares added, each violation naming the other share. */
    public List<Violation> conflicts(String prefix, ShareSpec share, String what) {
      SortedSet<Integer> hits = new TreeSet<>(byName.getOrDefault(Names.uniquenessKey(share.getName()), List.of()));
      Path mine = directory(share);
      if (mine != null) {
        for (Path up = mine; up != null; up = up.getParent()) { // the same directory, or one it is inside
          hits.addAll(byDirectory.getOrDefault(up.toString(), List.of()));
        }
        // The directories inside it: every key from "dir/" up to "dir0" ('0' follows '/'), so
        // exactly the paths under dir/ and not its siblings /dira or /dir-b.
        String below = mine.getParent() == null ? "/" : mine + "/";
        byDirectory.subMap(below, true, below.substring(0, below.length() - 1) + (char) ('/' + 1), false)
            .values().forEach(hits::addAll);
      }
      List<Violation> out = new ArrayList<>();
      hits.forEach(i -> out.addAll(between(prefix, share, shares.get(i), what)));
      return out;
    }
  }

  private static Path directory(ShareSpec s) {
    if (s.getStorage().getKindCase() != Storage.KindCase.DIRECTORY) {
      return null;
    }
    String p = s.getStorage().getDirectory().getPath();
    // Not a path at all (a NUL in it, say): the share's own checks say why; nothing to compare.
    return p.startsWith("/") && p.indexOf('\0') < 0 ? Path.of(p).normalize() : null;
  }
}
