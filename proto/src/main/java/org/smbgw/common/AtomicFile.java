package org.smbgw.common;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A daemon's own small files (status, held addresses, quota standings, helper programs and
 * libraries), replaced whole: after a crash or a power loss the file holds the old content or the
 * new one, never a mix and never nothing.
 */
public final class AtomicFile {
  private AtomicFile() {}

  /**
   * Writes {@code content} beside {@code file} under a fixed name, syncs it and renames it over the
   * file. The fixed name (not {@link Files#createTempFile}, whose random names start the JDK's
   * security providers, 0.5 MB resident for nothing) is safe because each file has one writer and
   * lives in a directory only its daemon writes. A write that fails leaves no temporary file.
   */
  public static void replace(Path file, byte[] content) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      ByteBuffer b = ByteBuffer.wrap(content);
      while (b.hasRemaining()) {
        c.write(b);
      }
      c.force(true);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
  }
}
