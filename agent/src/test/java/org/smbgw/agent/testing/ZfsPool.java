package org.smbgw.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/** A real zfs-fuse pool in a sparse file, with a unique name; destroyed on close. */
public final class ZfsPool implements AutoCloseable {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      TestTimeouts.seconds(60));
  private final String name;
  private final Path dir;

  public ZfsPool(String prefix, long sizeBytes) throws Exception {
    this.name = prefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    this.dir = Files.createTempDirectory("smbgw-pool-", TestDirs.TRAVERSABLE);
    Path file = dir.resolve("pool.img");
    try (var f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(sizeBytes);
    }
    // The root is not mounted (its children still inherit the mountpoint): zfs-fuse's FUSE
    // listener has a fixed table of about 1000 file systems, and the 1000-share benchmark needs
    // every slot.
    runner.run(Command.of("zpool", "create", "-O", "canmount=off", "-m", dir.resolve("mnt").toString(),
        name, file.toString()));
  }

  public String name() {
    return name;
  }

  public Path mountpoint() {
    return dir.resolve("mnt");
  }

  /** Runs zfs with the given arguments (for tests that change things behind the agent's back). */
  public CommandResult zfs(String... args) throws Exception {
    return runner.runAllowingFailure(Command.of("zfs", args));
  }

  public boolean exists(String dataset) throws Exception {
    return zfs("get", "-H", "-o", "value", "type", dataset).succeeded();
  }

  public String property(String dataset, String property) throws Exception {
    return zfs("get", "-Hp", "-o", "value", property, dataset).stdout().strip();
  }

  @Override
  public void close() throws Exception {
    // smbd children may hold a dataset for a moment after their client left.
    boolean destroyed = false;
    for (int i = 0; i < 40 && !(destroyed = runner.runAllowingFailure(
        Command.of("zpool", "destroy", "-f", name).timeout(Duration.ofSeconds(60))).succeeded()); i++) {
      Thread.sleep(250);
    }
    if (!destroyed) {
      // Deleting the files of a pool zfs-fuse still has makes the daemon hang every later call
      // (measured): the pool is left, and said so.
      System.err.println("zpool " + name + " could not be destroyed (busy); left with its files in " + dir);
      runner.close();
      return;
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
    runner.close();
  }
}
