package org.smbgw.agent.samba;

import org.smbgw.agent.fs.Capabilities;
import org.smbgw.proto.v1.ShareSpec;

/**
 * A share ready to be published: its validated spec, the directory it serves, what that storage
 * can do, and whether its root carries the Windows ACL smbgw seeded from the lists (only then may
 * access inside the share follow Windows ACLs instead of the lists).
 */
public record PublishedShare(ShareSpec spec, String path, Capabilities capabilities, boolean windowsAcls) {
  /** A share whose storage was not looked at: DOS attributes in mode bits, access by the lists. */
  public PublishedShare(ShareSpec spec, String path) {
    this(spec, path, Capabilities.UNKNOWN, false);
  }
}
