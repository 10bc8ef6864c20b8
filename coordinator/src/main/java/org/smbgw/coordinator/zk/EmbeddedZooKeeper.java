package org.smbgw.coordinator.zk;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.apache.zookeeper.server.embedded.ExitHandler;
import org.apache.zookeeper.server.embedded.ZooKeeperServerEmbedded;

/**
 * A single ZooKeeper server inside the coordinator's JVM, for single-node installs. Data lives in
 * the state directory, in directories only their owner may enter; tickTime is 500 ms so that sessions of 1 to 10 s are allowed (ZooKeeper clamps
 * sessions to 2 to 20 ticks).
 */
public final class EmbeddedZooKeeper implements AutoCloseable {
  private static final long STARTUP_MS = 30_000;
  private final ZooKeeperServerEmbedded server;
  private final int port;
  private final Path dir;

  public EmbeddedZooKeeper(Path dir, String address, int port) throws Exception {
    this.dir = dir;
    this.port = port;
    Files.createDirectories(dir.resolve("data"));
    // Snapshots and transaction logs are the whole state: nobody but this process's user reads them.
    for (Path p : new Path[] {dir, dir.resolve("data")}) {
      Files.setPosixFilePermissions(p, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
    }
    // A port already taken (another replica's embedded server) must stop this start, not let the
    // replica use the other's ZooKeeper: the server only logs that it cannot bind, so the port is
    // tried first, and the start (below)...
    try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
      probe.setReuseAddress(true);
      probe.bind(new java.net.InetSocketAddress(address, port));
    } catch (IOException e) {
      throw notStarted(address, port, e);
    }
    removeStaleConfigurations(dir);
    Properties p = new Properties();
    p.setProperty("dataDir", dir.resolve("data").toString());
    p.setProperty("clientPort", Integer.toString(port));
    p.setProperty("clientPortAddress", address);
    p.setProperty("tickTime", "500");
    p.setProperty("initLimit", "10");
    p.setProperty("syncLimit", "5");
    p.setProperty("maxClientCnxns", "200");
    p.setProperty("maxCnxns", "1000");
    p.setProperty("admin.enableServer", "false");
    p.setProperty("4lw.commands.whitelist", "ruok,srvr");
    // Old snapshots and transaction logs go (they would keep what was written before, such as
    // NT hashes in clear from before they were sealed): the newest three snapshots stay, checked hourly.
    p.setProperty("autopurge.snapRetainCount", "3");
    p.setProperty("autopurge.purgeInterval", "1");
    this.server = ZooKeeperServerEmbedded.builder().baseDir(dir).configuration(p)
        .exitHandler(ExitHandler.LOG_ONLY).build();
    // ...and waits until it serves.
    try {
      server.start(STARTUP_MS);
    } catch (Exception e) {
      server.close();
      removeStaleConfigurations(dir);
      throw notStarted(address, port, e);
    }
  }

  private static IllegalStateException notStarted(String address, int port, Exception e) {
    return new IllegalStateException("the embedded ZooKeeper could not start on " + address + ":" + port
        + " (embeddedZooKeeperPort; is another coordinator using it?): " + e, e);
  }

  public String connectString() {
    return "127.0.0.1:" + port;
  }

  /** Each start writes a new zookeeper.configuration*.properties into its base directory. */
  private static void removeStaleConfigurations(Path dir) throws IOException {
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "zookeeper.configuration*.properties")) {
      for (Path p : old) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Override
  public void close() {
    server.close();
    try {
      removeStaleConfigurations(dir);
    } catch (IOException e) {
      // best effort: the next start cleans up too
    }
  }
}
