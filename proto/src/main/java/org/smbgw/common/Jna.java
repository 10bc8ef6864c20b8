package org.smbgw.common;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import org.slf4j.LoggerFactory;

/**
 * JNA's native library for a daemon: unpacked once under the daemon's state directory and loaded
 * from there at every start.
 *
 * <p>Left to itself, JNA unpacks the library at every start into a new temporary file. That
 * file's random name starts the JDK's security providers, about 0.5 MB that stay resident for the
 * daemon's life (measured on the agent, issue 16), and by default it goes to the home directory
 * of the user the daemon runs as, which is none of the paths the units say the daemons write.
 * Here the library goes to {@code STATE/native/jna-CRC/libjnidispatch.so}, named by the checksum
 * of the copy in the jar, so an upgrade that brings another JNA gets its own file and never loads
 * the old one; the old one is removed. Should that fail, JNA unpacks it as before, under {@code STATE/native}. An explicit
 * {@code -Djna.boot.library.path=} or {@code -Djna.tmpdir=} in the JVM options wins.
 */
public final class Jna {
  static final String PROPERTY = "jna.tmpdir";
  static final String BOOT_PATH = "jna.boot.library.path";
  static final String LIBRARY = "libjnidispatch.so";

  private Jna() {}

  /** Call before anything loads JNA. */
  public static void unpackUnder(Path stateDir) {
    if (System.getProperty(PROPERTY) != null || System.getProperty(BOOT_PATH) != null) {
      return;
    }
    Path dir = stateDir.resolve("native");
    System.setProperty(PROPERTY, dir.toString()); // where JNA unpacks it if the file below fails
    Path unpacked = unpacked(dir, System.getProperty("os.arch"));
    if (unpacked != null) {
      System.setProperty(BOOT_PATH, unpacked.getParent().toString());
    }
  }

  /**
   * The library unpacked under {@code dir} (if it is not there already, whole), or null where it
   * cannot be; copies of other JNA versions there are removed.
   */
  static Path unpacked(Path dir, String arch) {
    String platform = switch (arch) {
      case "amd64", "x86_64" -> "linux-x86-64";
      case "aarch64", "arm64" -> "linux-aarch64";
      default -> null;
    };
    if (platform == null) {
      return null;
    }
    try (InputStream in = Jna.class.getResourceAsStream("/com/sun/jna/" + platform + "/" + LIBRARY)) {
      if (in == null) {
        return null;
      }
      byte[] library = in.readAllBytes();
      long crc = crc(library);
      String name = "jna-" + Long.toHexString(crc);
      Path lib = dir.resolve(name).resolve(LIBRARY);
      if (!Files.isRegularFile(lib) || crc(Files.readAllBytes(lib)) != crc) {
        AtomicFile.replace(lib, library);
      }
      try (DirectoryStream<Path> others = Files.newDirectoryStream(dir, "jna-*")) {
        for (Path other : others) {
          if (!other.getFileName().toString().equals(name)) {
            Files.deleteIfExists(other.resolve(LIBRARY));
            Files.deleteIfExists(other);
          }
        }
      }
      return lib;
    } catch (IOException e) {
      LoggerFactory.getLogger(Jna.class).warn("cannot unpack JNA's library under {} ({}); JNA unpacks it itself",
          dir, e.toString());
      return null;
    }
  }

  private static long crc(byte[] bytes) {
    CRC32 crc = new CRC32();
    crc.update(bytes);
    return crc.getValue();
  }
}
