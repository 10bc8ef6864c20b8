package org.smbgw.coordinator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.retry.RetryOneTime;
import org.smbgw.coordinator.state.UserSeal;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.coordinator.zk.ZooKeeperAccess;

/** The cluster key of test clusters, and ZooKeeper clients that use it as coordinators do. */
public final class TestKeys {
  private static final byte[] BYTES = "smbgw test cluster key, 32 bytes".getBytes(StandardCharsets.US_ASCII);
  public static final ClusterKey KEY = ClusterKey.of(BYTES);
  public static final UserSeal SEAL = new UserSeal(KEY);

  private TestKeys() {}

  /** A started client authenticated as a coordinator, making znodes the coordinators' alone. */
  public static CuratorFramework client(String connect) {
    CuratorFramework zk = ZooKeeperAccess.builder(connect, KEY).retryPolicy(new RetryOneTime(100)).build();
    zk.start();
    return zk;
  }

  /** {@link #KEY} in {@code dir}/cluster.key, mode 0600, as replicas read it. */
  public static Path file(Path dir) throws java.io.IOException {
    Path file = dir.resolve("cluster.key");
    Files.writeString(Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
        Base64.getEncoder().encodeToString(BYTES) + "\n");
    return file;
  }
}
