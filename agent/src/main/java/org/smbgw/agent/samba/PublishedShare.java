package org.smbgw.agent.samba;

import org.smbgw.proto.v1.ShareSpec;

/** A share ready to be published: its validated spec and the directory it serves. */
public record PublishedShare(ShareSpec spec, String path) {}
