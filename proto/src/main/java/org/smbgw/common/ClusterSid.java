package org.smbgw.common;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The Windows domain SID every node's Samba uses for smbgw's accounts. Derived from the cluster's
 * identity (made once, with the state), so each node computes the same one without another record:
 * S-1-5-21 followed by three 32-bit values of a SHA-256 of that identity, the shape of the SIDs
 * Samba makes at random. A user's SID is this one followed by the user's RID, the same on every
 * node, which is what lets a Windows ACL survive a failover.
 */
public final class ClusterSid {
  private ClusterSid() {}

  public static String of(String cluster) {
    if (cluster == null || cluster.isBlank()) {
      throw new IllegalArgumentException("a cluster SID needs the cluster's identity");
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256")
          .digest(("smbgw cluster SID\0" + cluster).getBytes(StandardCharsets.UTF_8));
      ByteBuffer b = ByteBuffer.wrap(d);
      return "S-1-5-21-" + Integer.toUnsignedString(b.getInt()) + "-" + Integer.toUnsignedString(b.getInt()) + "-"
          + Integer.toUnsignedString(b.getInt());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /** An account's SID: a domain's SID (the cluster's) and the account's RID, unsigned. */
  public static String account(String domainSid, int rid) {
    return domainSid + "-" + Integer.toUnsignedString(rid);
  }
}
