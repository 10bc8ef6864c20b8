package org.smbgw.agent.samba;

import org.smbgw.proto.v1.ShareSpec;

/**
 * A share ready to be published: its validated spec, the directory it serves, whether that
 * directory's file system keeps extended attributes (where Samba keeps DOS attributes; without
 * them it keeps them in mode bits), and whether its files carry Windows ACLs.
 */
public record PublishedShare(ShareSpec spec, String path, boolean xattrs, Acls acls) {
  public PublishedShare(ShareSpec spec, String path, boolean xattrs) {
    this(spec, path, xattrs, Acls.NONE);
  }

  /** Whether its files carry Windows ACLs. */
  public enum Acls {
    /** No: the lists decide, through the share's section. */
    NONE,
    /** Its root is about to get them: kept by vfs_acl_xattr, and nobody writes until it has them. */
    PENDING,
    /** Yes: the lists decide who connects, the ACLs who may do what inside. */
    ON
  }
}
