package org.smbgw.coordinator;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryOneTime;
import org.apache.zookeeper.KeeperException;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Violation;
import org.smbgw.common.auth.Tokens;
import org.smbgw.coordinator.state.Json;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.Token;
import org.smbgw.proto.v1.TokenRecord;

/**
 * Tokens minted on a coordinator node by root, written to ZooKeeper directly (DESIGN section 6):
 * how the first administrator's token comes to exist, and how one gets back in with none left.
 */
public final class LocalTokens {
  private LocalTokens() {}

  /** ZooKeeper could not be reached. */
  public static final class Unreachable extends Exception {
    private static final long serialVersionUID = 1L;

    Unreachable(String message) {
      super(message);
    }
  }

  /** Whether this process runs as root: /proc/self belongs to the effective user. */
  static boolean root() throws IOException {
    return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
  }

  /**
   * Mints token {@code name}, writes it to {@code out} (mode 0600, made new: an existing file is
   * refused) and records its hash in the ZooKeeper {@code config} names. The file comes first, so
   * a record never exists without its token; it is removed again when the record cannot be made.
   */
  public static void create(CoordinatorConfig config, String name, String roleText, Path out, String by)
      throws Exception {
    List<Violation> v = new ArrayList<>();
    Tokens.validateName("--name", name, v);
    Role role = Tokens.role("--role", roleText, v);
    if (Files.exists(out, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      v.add(new Violation("--out", out + " exists: remove it, or write the token elsewhere"));
    }
    InvalidSpecException.throwIfAny(v);
    String connect = config.zookeeper() == null || config.zookeeper().isEmpty()
        ? "127.0.0.1:" + config.embeddedZooKeeperPort() : config.zookeeper();
    org.smbgw.coordinator.zk.ClusterKey key = org.smbgw.coordinator.zk.ClusterKey.read("clusterKey", config.clusterKey());
    String token = Tokens.mint(name);
    try (CuratorFramework zk = org.smbgw.coordinator.zk.ZooKeeperAccess.builder(connect, key).sessionTimeoutMs(10_000)
        .connectionTimeoutMs(5_000).retryPolicy(new RetryOneTime(500)).build()) {
      zk.start();
      if (!zk.blockUntilConnected(10, TimeUnit.SECONDS)) {
        throw new Unreachable("cannot reach ZooKeeper at " + connect + " (is this replica's ZooKeeper running?)");
      }
      if (zk.checkExists().forPath(ZkPaths.TOKENS) == null) {
        throw new Unreachable("ZooKeeper at " + connect + " holds no smbgw state yet: start the coordinator first");
      }
      write(out, token);
      try {
        if (!grant(zk, token, role, by, false)) {
          Files.deleteIfExists(out);
          throw new InvalidSpecException(List.of(new Violation("--name", "a token named " + name
              + " exists: revoke it (smbgw token revoke " + name + "), or choose another name")));
        }
      } catch (InvalidSpecException e) {
        throw e;
      } catch (Exception e) {
        Files.deleteIfExists(out);
        throw e;
      }
      // In the audit trail too: made outside any admin call, by whoever is root here.
      try {
        zk.create().withMode(org.apache.zookeeper.CreateMode.PERSISTENT_SEQUENTIAL).forPath(ZkPaths.AUDIT_PREFIX,
            Json.bytes(org.smbgw.proto.v1.AuditRecord.newBuilder().setTimeMillis(System.currentTimeMillis()).setWho(by)
                .setFrom("local").setMethod("create-token").setRequest("{\"name\":\"" + name + "\",\"role\":\""
                    + Tokens.roleName(role) + "\"}").setResult("OK").build()));
      } catch (Exception e) {
        org.slf4j.LoggerFactory.getLogger(LocalTokens.class).warn("token {} made, but not recorded in the audit "
            + "trail: {}", name, e.toString());
      }
    }
  }

  /**
   * Records {@code token} with {@code role}: its hash, under its name. False when another token of
   * that name exists; true also when this very token's record is there already (a create whose
   * answer was lost, made again by the client's retry).
   *
   * @param parents whether to make the state's directories first (a test cluster before its replicas start)
   */
  public static boolean grant(CuratorFramework zk, String token, Role role, String by, boolean parents) throws Exception {
    String name = Tokens.nameOf(token).orElseThrow(() -> new IllegalArgumentException("not a token"));
    TokenRecord record = TokenRecord.newBuilder()
        .setToken(Token.newBuilder().setName(name).setRole(role).setCreatedAtMillis(System.currentTimeMillis())
            .setCreatedBy(by))
        .setSecretSha256(ByteString.copyFrom(Tokens.sha256(token))).build();
    try {
      (parents ? zk.create().creatingParentsIfNeeded() : zk.create()).forPath(ZkPaths.token(name), Json.bytes(record));
      return true;
    } catch (KeeperException.NodeExistsException e) {
      TokenRecord there = Json.parse(zk.getData().forPath(ZkPaths.token(name)), TokenRecord.getDefaultInstance());
      return Tokens.matches(token, there.getSecretSha256().toByteArray());
    }
  }

  /** Writes {@code token} to a new file only its owner can read, in a directory only its owner can enter if made here. */
  static void write(Path out, String token) throws IOException {
    Path dir = out.toAbsolutePath().getParent();
    if (dir != null && !Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    try {
      Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    } catch (FileAlreadyExistsException e) {
      throw new InvalidSpecException(List.of(new Violation("--out", out + " exists: remove it, or write the token elsewhere")));
    }
    Files.writeString(out, token + "\n", StandardCharsets.US_ASCII);
  }
}
