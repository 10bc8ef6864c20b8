package org.smbgw.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
    List<Violation> out = new ArrayList<>();
    others.forEach(o -> out.addAll(between(prefix, share, o, what)));
    return out;
  }

  private static Path directory(ShareSpec s) {
    if (s.getStorage().getKindCase() != Storage.KindCase.DIRECTORY) {
      return null;
    }
    String p = s.getStorage().getDirectory().getPath();
    return p.startsWith("/") ? Path.of(p).normalize() : null;
  }
}
