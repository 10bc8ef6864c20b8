package org.smbgw.agent.fs;

/** Ownership and mode of a share's root directory; {@code exists == false} leaves the rest 0. */
public record RootState(boolean exists, int uid, int gid, int mode) {
  public static final RootState MISSING = new RootState(false, 0, 0, 0);
  /** rwxrws---: the forced group reads and writes, new entries inherit the group. */
  public static final int SHARE_MODE = 02770;

  public boolean ready(int groupId) {
    return exists && uid == 0 && gid == groupId && (mode & 07777) == SHARE_MODE;
  }
}
