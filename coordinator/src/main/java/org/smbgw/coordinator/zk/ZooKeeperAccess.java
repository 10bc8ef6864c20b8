package org.smbgw.coordinator.zk;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs.Perms;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;
import org.smbgw.common.InvalidSpecException;

/**
 * Who may read and write smbgw's part of ZooKeeper. Everything under {@link #TOP} carries one ACL:
 * the coordinators' digest credential, with every permission; nobody else (an anonymous client
 * listing or reading it gets NoAuth). The one exception is {@link #CTDB_ROOT}, which CTDB's lock
 * helper on every node may use with a credential of its own that opens nothing else.
 *
 * <p>Both passwords are derived from the {@link ClusterKey}: a coordinator needs no other file,
 * and the helper's password reveals neither the key nor the coordinators' password.
 */
public final class ZooKeeperAccess {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ZooKeeperAccess.class);
  /** smbgw's part of ZooKeeper; the state is in its /v1. */
  public static final String TOP = "/smbgw";
  /** The subtree CTDB's lock helper may read and write. */
  public static final String CTDB_ROOT = TOP + "/ctdb";
  public static final String COORDINATOR = "smbgw-coordinator";
  public static final String CTDB = "smbgw-ctdb";

  private ZooKeeperAccess() {}

  /** The ZooKeeper password of {@code user} ({@link #COORDINATOR} or {@link #CTDB}). */
  public static String password(ClusterKey key, String user) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(key.derive("zookeeper/" + user));
  }

  /** What a client of {@code user} authenticates with: "digest" and user:password. */
  public static byte[] credential(ClusterKey key, String user) {
    return (user + ":" + password(key, user)).getBytes(StandardCharsets.UTF_8);
  }

  /** A Curator client that authenticates as a coordinator and makes every znode the coordinators' alone. */
  public static CuratorFrameworkFactory.Builder builder(String connect, ClusterKey key) {
    return CuratorFrameworkFactory.builder().connectString(connect)
        .authorization("digest", credential(key, COORDINATOR))
        .aclProvider(acls(key));
  }

  /** The ACL a znode at {@code path} must have. */
  public static List<ACL> aclFor(ClusterKey key, String path) {
    return acls(key).getAclForPath(path);
  }

  /**
   * The ACLs for {@code key}, worked out once (each digest is a hash): the coordinators' alone,
   * and with CTDB's helper under {@link #CTDB_ROOT}. The lists refuse changes but not ZooKeeper's
   * question whether they contain null (which immutable lists answer with an exception).
   */
  static ACLProvider acls(ClusterKey key) {
    ACL coordinators = new ACL(Perms.ALL, id(key, COORDINATOR));
    List<ACL> theirs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(List.of(coordinators)));
    // Everything but ADMIN for the helper: it may not take its subtree away from the coordinators.
    List<ACL> shared = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(List.of(coordinators,
        new ACL(Perms.ALL & ~Perms.ADMIN, id(key, CTDB)))));
    return new ACLProvider() {
      @Override
      public List<ACL> getDefaultAcl() {
        return theirs;
      }

      @Override
      public List<ACL> getAclForPath(String path) {
        return path.equals(CTDB_ROOT) || path.startsWith(CTDB_ROOT + "/") ? shared : theirs;
      }
    };
  }

  private static Id id(ClusterKey key, String user) {
    try {
      return new Id("digest", DigestAuthenticationProvider.generateDigest(user + ":" + password(key, user)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("ZooKeeper's digest algorithm is missing from this JVM", e);
    }
  }

  /**
   * Makes sure {@link #TOP} and everything under it has the ACL it must have, and that the CTDB
   * subtree exists. A tree made before ZooKeeper was locked (world-readable) is locked here,
   * children before parents, so that a walk cut short is done again at the next start (which
   * checks {@link #TOP} only: coordinators of an older version must be stopped before the first
   * one with a key starts, or what they write meanwhile stays open).
   *
   * @return how many znodes were changed
   * @throws InvalidSpecException naming {@code setting} when ZooKeeper refuses this key: the
   *     tree was locked with another cluster key
   */
  public static int lockDown(CuratorFramework zk, ClusterKey key, String setting) throws Exception {
    ACLProvider acls = acls(key);
    try {
      int changed = 0;
      if (zk.checkExists().forPath(TOP) != null) {
        List<ACL> top = zk.getACL().forPath(TOP);
        if (!top.equals(acls.getAclForPath(TOP))) {
          adopting(zk, top);
          changed = lock(zk, acls, TOP);
          // Children made under a parent not locked yet kept their open ACL: once more, with every parent locked.
          changed += lock(zk, acls, TOP);
          warnAdopted(zk);
        }
      }
      if (zk.checkExists().forPath(CTDB_ROOT) != null) {
        changed += lockOne(zk, acls, CTDB_ROOT); // one made with CTDB's ADMIN permission
      } else {
        try {
          zk.create().creatingParentsIfNeeded().forPath(CTDB_ROOT);
        } catch (KeeperException.NodeExistsException e) {
          // another replica made it
        }
      }
      zk.getData().forPath(TOP); // NoAuth here when the tree is another key's
      return changed;
    } catch (KeeperException.NoAuthException e) {
      throw new InvalidSpecException(setting, "ZooKeeper refuses " + key + ": " + TOP + " was locked with another "
          + "cluster key. Every coordinator must have the same key file; copy it from a coordinator that works");
    }
  }

  /**
   * Checks a tree made before ZooKeeper was locked before it is taken over: anyone could write it
   * until now. One locked by someone else ({@code top}, its ACL, has no open entry) is another
   * cluster key's. One holding state without the cluster identity every coordinator writes first
   * was not made by smbgw and is refused; one holding no state yet (an older coordinator stopped
   * in its first start, or a CTDB helper that came first) is simply locked.
   */
  private static void adopting(CuratorFramework zk, List<ACL> top) throws Exception {
    if (top.stream().noneMatch(a -> a.getId().getScheme().equals("world"))) {
      throw new KeeperException.NoAuthException(); // locked, with another key's credential
    }
    String v1 = org.smbgw.coordinator.state.ZkPaths.ROOT;
    boolean holdsState = zk.checkExists().forPath(v1) != null && zk.getChildren().forPath(v1).stream()
        .anyMatch(child -> !child.equals("cluster"));
    if (holdsState && zk.checkExists().forPath(org.smbgw.coordinator.state.ZkPaths.CLUSTER) == null) {
      throw new InvalidSpecException("zookeeper", TOP + " exists in ZooKeeper, is open to everyone and holds state "
          + "but no cluster identity: no smbgw coordinator made it. Look at it, and delete it (zkCli deleteall " + TOP
          + ") before starting a coordinator");
    }
  }

  /** Says what to review in a state that was open until now (read once it is locked). */
  private static void warnAdopted(CuratorFramework zk) throws Exception {
    List<String> tokens = zk.checkExists().forPath(org.smbgw.coordinator.state.ZkPaths.TOKENS) == null ? List.of()
        : zk.getChildren().forPath(org.smbgw.coordinator.state.ZkPaths.TOKENS);
    log.warn("locked a state made before ZooKeeper was locked: any ZooKeeper client could read and write it until "
        + "now. Review its tokens ({}: smbgw token list, smbgw token revoke NAME) and set every user's password again "
        + "(smbgw user passwd NAME): their NT hashes were readable", tokens);
  }

  /** Locks {@code path} and everything under it, children first; returns how many znodes changed. */
  private static int lock(CuratorFramework zk, ACLProvider acls, String path) throws Exception {
    int changed = 0;
    List<String> children;
    try {
      children = zk.getChildren().forPath(path);
    } catch (KeeperException.NoNodeException e) {
      return 0; // gone meanwhile (an old event trimmed)
    }
    for (String child : children) {
      changed += lock(zk, acls, path + "/" + child);
    }
    return changed + lockOne(zk, acls, path);
  }

  /** Gives {@code path} the ACL it must have; 1 when that changed it. */
  private static int lockOne(CuratorFramework zk, ACLProvider acls, String path) throws Exception {
    List<ACL> acl = acls.getAclForPath(path);
    try {
      if (!zk.getACL().forPath(path).equals(acl)) {
        zk.setACL().withACL(acl).forPath(path);
        return 1;
      }
    } catch (KeeperException.NoNodeException e) {
      // gone meanwhile
    }
    return 0;
  }
}
