package org.smbgw.agent.fs;

/**
 * What a share root's storage can do, as the agent found by trying (never assumed from the kind
 * of storage): ext4 and kernel OpenZFS keep extended attributes and POSIX ACLs, zfs-fuse neither.
 *
 * @param probed false until the root was looked at (a root made in this pass): nothing is known
 * @param xattrs a {@code user.} extended attribute could be written and removed on the root
 * @param posixAcls the root's file system supports POSIX ACLs ({@code system.posix_acl_access})
 */
public record Capabilities(boolean probed, boolean xattrs, boolean posixAcls) {
  public static final Capabilities UNKNOWN = new Capabilities(false, false, false);

  /**
   * Windows ACLs through vfs_acl_xattr: it keeps each NT ACL in the {@code security.NTACL}
   * attribute, so it needs extended attributes (ACL mapping to POSIX ACLs is switched off, see
   * {@link org.smbgw.agent.samba.IncludeRenderer}, so POSIX ACLs are not needed).
   */
  public boolean windowsAcls() {
    return probed && xattrs;
  }
}
