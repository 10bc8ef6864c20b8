package org.smbgw.agent.testing;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Temporary directories that share paths live under must be traversable: smbd serves each client
 * as that client's user, and createTempDirectory's default 0700 would lock them out.
 */
public final class TestDirs {
  public static final FileAttribute<Set<PosixFilePermission>> TRAVERSABLE =
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"));

  private TestDirs() {}

  /** Removes {@code dir} and everything under it, if it exists (best effort, deepest first). */
  public static void delete(java.nio.file.Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.exists(dir)) {
      return;
    }
    try (var files = java.nio.file.Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    }
  }
}
