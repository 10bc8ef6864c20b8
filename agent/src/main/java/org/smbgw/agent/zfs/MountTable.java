package org.smbgw.agent.zfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * What the kernel has mounted, from /proc/self/mounts (one file read). ZFS's own "mounted"
 * property is not enough: zfs-fuse reports a dataset mounted when its FUSE mount failed, and a
 * share published there would write into the empty directory underneath, on the root filesystem.
 */
public final class MountTable {
  private final Path file;

  public MountTable(Path file) {
    this.file = file;
  }

  public static MountTable proc() {
    return new MountTable(Path.of("/proc/self/mounts"));
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
