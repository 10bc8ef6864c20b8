package org.smbgw.agent.zfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the kernel has mounted, from /proc/self/mounts (one file read), and whether a mount still
 * answers. ZFS's own "mounted" property is not enough: zfs-fuse reports a dataset mounted when its
 * FUSE mount failed, and a share published there would write into the empty directory underneath,
 * on the root filesystem. And when the zfs-fuse daemon dies, its mounts stay in the table, dead:
 * every access gets ENOTCONN ("Transport endpoint is not connected"), and a restarted daemon
 * imports the pools and says every dataset is mounted, but mounts nothing over the dead entries.
 */
public final class MountTable {
  private static final Logger log = LoggerFactory.getLogger(MountTable.class);
  private final Path file;
  private final Predicate<Path> dead;

  /** @param dead whether the mount at a path is dead (its file system no longer answers) */
  public MountTable(Path file, Predicate<Path> dead) {
    this.file = file;
    this.dead = dead;
  }

  public static MountTable proc() {
    return new MountTable(Path.of("/proc/self/mounts"), MountTable::notConnected);
  }

  /** Whether the mount at {@code mountpoint} is dead. */
  public boolean dead(String mountpoint) {
    return dead.test(Path.of(mountpoint));
  }

  /** More than {@code struct statfs} takes on any Linux platform (120 bytes on x86-64). */
  private static final int STATFS_SIZE = 256;

  /** Linux's ENOTCONN: a FUSE mount whose daemon is gone. */
  private static final int ENOTCONN = 107;

  /**
   * Asks the file system with {@code statfs(2)} and reads errno, which the JDK only hands out as a
   * localised message. ({@code access(F_OK)} is no test: on a dead mount's root the kernel answers
   * without asking the file system.) Without JNA's native library no mount counts as dead (logged
   * once), as before this check existed.
   */
  static boolean notConnected(Path path) {
    try {
      Libc.INSTANCE.statfs(path.toString(), new byte[STATFS_SIZE]);
      return false;
    } catch (com.sun.jna.LastErrorException e) {
      return e.getErrorCode() == ENOTCONN;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      if (!nativeMissingLogged) {
        nativeMissingLogged = true;
        log.warn("cannot load libc through JNA ({}); dead FUSE mounts are not detected", e.toString());
      }
      return false;
    }
  }

  private static volatile boolean nativeMissingLogged;

  private interface Libc extends com.sun.jna.Library {
    Libc INSTANCE = com.sun.jna.Native.load("c", Libc.class);

    int statfs(String path, byte[] buf) throws com.sun.jna.LastErrorException;
  }

  /** Mount target to mount source (for ZFS, the dataset name). Later mounts hide earlier ones. */
  public Map<String, String> read() throws IOException {
    Map<String, String> out = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      if (f.length >= 3) {
        out.put(unescape(f[1]), unescape(f[0]));
      }
    }
    return out;
  }

  /** The kernel writes space, tab, newline and backslash in octal (\040 and so on). */
  static String unescape(String s) {
    if (s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder b = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
        b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        b.append(c);
      }
    }
    return b.toString();
  }
}
