package org.smbgw.agent.fs;

/**
 * Ownership and mode of a share's root directory; {@code exists == false} leaves the rest 0.
 * {@code empty} whether it holds nothing (looked at for directory storage, which smbgw takes over
 * only when empty or adopted). {@code problem} says why the root cannot be used (a symbolic link, not a directory, unreadable):
 * that share is skipped with the reason, the others go on. {@code xattrs} whether the file system
 * under the root keeps extended attributes (observed, never set: see {@link ShareRoots#xattrs}).
 * {@code aclRecord} the entries smbgw recorded as its own on the root's Windows ACL, null when it
 * never put one there (see {@link ShareRoots#aclRecord}).
 */
public record RootState(boolean exists, int uid, int gid, int mode, boolean empty, String problem, boolean xattrs,
    String aclRecord) {
  public static final RootState MISSING = new RootState(false, 0, 0, 0);

  /** A root smbgw never put a Windows ACL on. */
  public RootState(boolean exists, int uid, int gid, int mode, boolean empty, String problem, boolean xattrs) {
    this(exists, uid, gid, mode, empty, problem, xattrs, null);
  }

  /** A root whose content was not looked at (counted as empty), on storage without extended attributes. */
  public RootState(boolean exists, int uid, int gid, int mode) {
    this(exists, uid, gid, mode, true, null, false);
  }

  /** A root on storage without extended attributes. */
  public RootState(boolean exists, int uid, int gid, int mode, boolean empty, String problem) {
    this(exists, uid, gid, mode, empty, problem, false);
  }

  /** A root that is there but cannot serve as one, and why. */
  public static RootState unusable(String why) {
    return new RootState(true, 0, 0, 0, false, why);
  }
  /** rwxrws---: the forced group reads and writes, new entries inherit the group. */
  public static final int SHARE_MODE = 02770;

  public boolean ready(int groupId) {
    return problem == null && exists && uid == 0 && gid == groupId && (mode & 07777) == SHARE_MODE;
  }
}
