package org.smbgw.agent.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Free space of a directory, with a timeout. {@code statfs} on a hung NFS or CephFS mount blocks
 * in the kernel and cannot be interrupted, so each probe runs on a thread of its own; a caller
 * waits at most the timeout. A path whose probe is still stuck is not probed again until that one
 * returns, so a dead mount costs one thread, not one per look.
 */
public final class DiskSpace implements AutoCloseable {
  private final ExecutorService probes = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "smbgw-statfs");
    t.setDaemon(true);
    return t;
  });
  private final Set<Path> stuck = ConcurrentHashMap.newKeySet();

  /**
   * Bytes usable under {@code dir}; empty when it is no directory or cannot be read.
   *
   * @throws TimeoutException when the file system did not answer in time, now or at the last look
   */
  public OptionalLong usable(Path dir, Duration timeout) throws TimeoutException {
    if (!stuck.add(dir)) {
      throw new TimeoutException(dir + " has not answered since an earlier look");
    }
    Future<OptionalLong> f;
    try {
      f = probes.submit(() -> {
        try {
          return Files.isDirectory(dir) ? OptionalLong.of(Files.getFileStore(dir).getUsableSpace()) : OptionalLong.empty();
        } catch (IOException e) {
          return OptionalLong.empty();
        } finally {
          stuck.remove(dir);
        }
      });
    } catch (RuntimeException e) {
      stuck.remove(dir);
      return OptionalLong.empty();
    }
    try {
      return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return OptionalLong.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return OptionalLong.empty();
    }
  }

  @Override
  public void close() {
    probes.shutdownNow();
  }
}
