package org.smbgw.agent.samba;

import org.smbgw.proto.v1.ShareSpec;

/**
 * A share ready to be published: its validated spec, the directory it serves, and whether that
 * directory's file system keeps extended attributes (where Samba keeps DOS attributes; without
 * them it keeps them in mode bits).
 */
public record PublishedShare(ShareSpec spec, String path, boolean xattrs) {}
