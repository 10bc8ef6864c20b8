package org.smbgw.agent.zfs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * A ZFS pool in a file, for demos and tests on machines without spare disks (zfs-fuse or
 * OpenZFS). Imported if it exists, created otherwise; never destroyed by the agent.
 */
public final class SandboxPool {
  private final CommandRunner runner;
  private final String zpool;

  public SandboxPool(CommandRunner runner, String zpool) {
    this.runner = runner;
    this.zpool = zpool;
  }

  /** Makes sure {@code name} is imported, creating it in {@code file} if there is no pool yet. */
  public void ensure(String name, Path file, long sizeBytes, Path mountpoint) throws IOException, CommandFailedException {
    CommandResult list = runner.runAllowingFailure(Command.of(zpool, "list", "-H", "-o", "name", name));
    if (list.succeeded()) {
      return;
    }
    if (Files.exists(file)) {
      String dir = file.getParent().toString();
      if (!runner.runAllowingFailure(Command.of(zpool, "import", "-d", dir, name)).succeeded()) {
        // A pool destroyed by hand can still be brought back, with its data: try that too.
        runner.run(Command.of(zpool, "import", "-D", "-d", dir, name));
      }
      return;
    }
    Files.createDirectories(file.getParent());
    Files.createDirectories(mountpoint);
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(sizeBytes);
    }
    var argv = new ArrayList<>(java.util.List.of(zpool, "create", "-m", mountpoint.toString(), name, file.toString()));
    runner.run(Command.of(argv));
  }
}
