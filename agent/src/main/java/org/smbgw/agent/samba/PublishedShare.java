package org.smbgw.agent.samba;

import org.smbgw.proto.v1.ShareSpec;

/**
 * A share ready to be published: its validated spec, the directory it serves, whether that
 * directory's file system keeps extended attributes (where Samba keeps DOS attributes; without
 * them it keeps them in mode bits), and whether its files carry Windows ACLs.
 */
public record PublishedShare(ShareSpec spec, String path, boolean xattrs, boolean acls) {
  public PublishedShare(ShareSpec spec, String path, boolean xattrs) {
    this(spec, path, xattrs, false);
  }
}
