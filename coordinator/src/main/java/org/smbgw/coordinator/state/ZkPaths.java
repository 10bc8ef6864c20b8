package org.smbgw.coordinator.state;

import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Where each object lives in ZooKeeper. */
public final class ZkPaths {
  public static final String ROOT = "/smbgw/v1";
  public static final String SHARES = ROOT + "/shares";
  public static final String USERS = ROOT + "/users";
  /** tokens/<name>: administrators' tokens, each with the SHA-256 of its secret. */
  public static final String TOKENS = ROOT + "/tokens";
  public static final String NODES = ROOT + "/nodes";
  public static final String PLACEMENTS = ROOT + "/placements";
  public static final String PURGES = ROOT + "/purges";
  public static final String LIVE = ROOT + "/live";
  public static final String MEMBERS = ROOT + "/members";
  public static final String EPOCH = ROOT + "/epoch";
  public static final String ELECTION = ROOT + "/election";
  /** Persistent sequential znodes e-0000000001...; the leader keeps the newest 1,000. */
  public static final String EVENTS = ROOT + "/events";
  public static final String EVENT_PREFIX = EVENTS + "/e-";
  /** Persistent sequential znodes a-0000000000...: the audit trail; the leader keeps the newest auditRecords. */
  public static final String AUDIT = ROOT + "/audit";
  public static final String AUDIT_PREFIX = AUDIT + "/a-";
  /** alerts/<node>/<share key>-<n>: quota alert n of a share on a node has been told. */
  public static final String ALERTS = ROOT + "/alerts";
  /** addresses/<address>: floating addresses and their holders (leader writes). */
  public static final String ADDRESSES = ROOT + "/addresses";
  /** leases/<node>: node leases, rewritten by any replica on each renewal. */
  public static final String LEASES = ROOT + "/leases";
  /** The cluster's identity, made once with the state: agents refuse a state of another cluster. */
  public static final String CLUSTER = ROOT + "/cluster";
  /** The last RID given to a user ({@code RidCounter}); RIDs are never given twice. */
  public static final String RIDS = ROOT + "/rids";
  /** removed/<kind>~<key>: shares and users deleted on purpose (intents, DESIGN 2). */
  public static final String REMOVED = ROOT + "/removed";

  /** The record of a deliberate removal of {@code subject} ("share/NAME" or "user/NAME"). */
  public static String removed(String subject) {
    return REMOVED + "/" + removedKey(subject);
  }

  public static String removedKey(String subject) {
    if (subject.startsWith("share/")) {
      return "share~" + shareKey(subject.substring(6));
    }
    if (subject.startsWith("user/")) {
      return "user~" + URLEncoder.encode(subject.substring(5), StandardCharsets.UTF_8);
    }
    throw new IllegalArgumentException("not a share or user: " + subject);
  }

  /** The znode of the event at position {@code seq} (ZooKeeper's sequence is one less). */
  public static String event(long seq) {
    return EVENT_PREFIX + String.format("%010d", seq - 1);
  }

  private ZkPaths() {}

  /**
   * A share's znode name: lower-cased, so ZooKeeper's create refuses a second share that differs
   * only in case, and URL-encoded (share names may hold characters ZooKeeper refuses). It stays
   * the plain lower-casing it always was, so existing znodes are found; the coarser rule that share
   * names are unique under {@link org.smbgw.common.Names#uniquenessKey} (Kelvin sign and 'k',
   * long s and 's') is checked against the view before writing
   * ({@link org.smbgw.common.ShareConflicts}).
   */
  public static String shareKey(String share) {
    return URLEncoder.encode(share.toLowerCase(Locale.ROOT), StandardCharsets.UTF_8);
  }

  public static String decode(String key) {
    return URLDecoder.decode(key, StandardCharsets.UTF_8);
  }

  public static String share(String name) {
    return SHARES + "/" + shareKey(name);
  }

  public static String placement(String name) {
    return PLACEMENTS + "/" + shareKey(name);
  }

  public static String purge(String name) {
    return PURGES + "/" + shareKey(name);
  }

  public static String user(String name) {
    return USERS + "/" + name;
  }

  /** A token's znode; token names are already safe for ZooKeeper (a-z, 0-9, '_', '-'). */
  public static String token(String name) {
    return TOKENS + "/" + name;
  }

  public static String node(String name) {
    return NODES + "/" + name;
  }

  /** An address's znode name: the address without its prefix length, URL-encoded. */
  public static String addressKey(String cidr) {
    return URLEncoder.encode(org.smbgw.common.Addresses.host(cidr), StandardCharsets.UTF_8);
  }

  public static String address(String cidr) {
    return ADDRESSES + "/" + addressKey(cidr);
  }

  public static String lease(String node) {
    return LEASES + "/" + node;
  }

  public static String live(String node) {
    return LIVE + "/" + node;
  }
}
