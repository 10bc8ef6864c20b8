package org.smbgw.agent.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The agent's own small files (status, held addresses, quota standings, its helper program),
 * replaced whole: a crash leaves the old content or the new one, never a mix.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Writes {@code content} beside {@code file} under a fixed name and renames it over the file.
   * The fixed name (not {@link Files#createTempFile}, whose random names start the JDK's
   * security providers, 0.5 MB resident for nothing) is safe because each file has one writer
   * and lives in a directory only root writes.
   */
  public static void replace(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.write(tmp, content);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
