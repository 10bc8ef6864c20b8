package org.smbgw.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The paths a process tree wrote, from an {@code strace -f} log of {@link #SYSCALLS}, and the
 * paths a unit file says it writes.
 */
final class WrittenPaths {
  /** The system calls that create, change or remove a path (and {@code bind}, which makes sockets). */
  static final String SYSCALLS = "open,openat,creat,mkdir,mkdirat,rename,renameat,renameat2,unlink,unlinkat,rmdir,"
      + "link,linkat,symlink,symlinkat,chmod,fchmodat,chown,fchownat,lchown,truncate,utimensat,mknod,mknodat,bind,"
      + "setxattr,lsetxattr,removexattr,lremovexattr";
  private static final Pattern CALL = Pattern.compile("^\\d+\\s+(\\w+)\\((.*)\\)\\s+=\\s+(-?\\d+)");
  /** A descriptor with the path {@code -y} adds ({@code 5</srv/share>}), or a quoted string. */
  private static final Pattern TOKEN = Pattern.compile("\\d+<([^>]*)>|\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Pattern UNFINISHED = Pattern.compile("^(\\d+)\\s+(.*?)\\s*<unfinished \\.\\.\\.>$");
  private static final Pattern RESUMED = Pattern.compile("^(\\d+)\\s+<\\.\\.\\. (\\w+) resumed>(.*)$");
  private static final Pattern WRITE_FLAGS = Pattern.compile("O_WRONLY|O_RDWR|O_CREAT|O_TRUNC");

  private WrittenPaths() {}

  /**
   * Every path a successful call in a log made with {@code strace -f -y} wrote. A path relative to
   * a directory descriptor is resolved against the directory {@code -y} names; one relative to the
   * working directory is kept as given (and so matches nothing listed).
   */
  static TreeSet<String> fromStrace(Path log) throws IOException {
    TreeSet<String> written = new TreeSet<>();
    for (String line : joined(Files.readAllLines(log, StandardCharsets.UTF_8))) {
      Matcher m = CALL.matcher(line);
      if (!m.find() || m.group(3).startsWith("-")) {
        continue;
      }
      String call = m.group(1);
      String args = m.group(2);
      if (call.equals("bind") && !args.contains("sun_path=")) {
        continue; // an address, not a path
      }
      if (call.startsWith("open") && !WRITE_FLAGS.matcher(args).find()) {
        continue;
      }
      Matcher t = TOKEN.matcher(args);
      String dir = null;
      while (t.find()) {
        if (t.group(1) != null) {
          dir = t.group(1);
          continue;
        }
        String path = t.group(2);
        written.add(path.startsWith("/") || dir == null ? path : dir + "/" + path);
        dir = null;
        if (call.startsWith("open") || call.equals("bind") || call.contains("xattr")) {
          break; // the one path; later strings are not paths
        }
      }
    }
    return written;
  }

  /**
   * The log's lines with every call that {@code strace -f} split in two (another thread made a call
   * in between: {@code 12 rename("/a", "/b" <unfinished ...>}, later {@code 12 <... rename
   * resumed>) = 0}) put back together on one line. Under load most of a busy JVM's calls are split.
   */
  static List<String> joined(List<String> lines) {
    List<String> whole = new ArrayList<>();
    Map<String, String> pending = new java.util.HashMap<>();
    for (String line : lines) {
      Matcher unfinished = UNFINISHED.matcher(line);
      Matcher resumed = RESUMED.matcher(line);
      if (unfinished.matches()) {
        pending.put(unfinished.group(1), unfinished.group(2));
      } else if (resumed.matches()) {
        String start = pending.remove(resumed.group(1));
        if (start != null) {
          whole.add(resumed.group(1) + " " + start + resumed.group(3));
        }
      } else {
        whole.add(line);
      }
    }
    return whole;
  }

  /**
   * The paths a unit's comment lists under "write only": lines {@code #   PATH, PATH    why},
   * with a path ending in {@code *} standing for every path that begins so. A name that is not a
   * path ("share roots") is replaced by what {@code names} maps it to, and a listed path by what
   * {@code moved} maps it to (a sandbox profile keeps Samba's state elsewhere).
   */
  static List<String> listedInUnit(Path unit, Map<String, String> names, Map<String, String> moved) throws IOException {
    List<String> listed = new ArrayList<>();
    boolean inList = false;
    for (String line : Files.readAllLines(unit, StandardCharsets.UTF_8)) {
      if (line.contains("write only")) {
        inList = true;
      } else if (inList && line.startsWith("#   ")) {
        String paths = line.substring(4).strip().split("\\s{2,}")[0];
        for (String p : paths.split(",\\s*")) {
          if (!p.startsWith("/")) {
            if (!names.containsKey(p)) {
              throw new IllegalArgumentException("the unit lists '" + p + "', which the test cannot place");
            }
            listed.add(names.get(p));
          } else {
            listed.add(moved.getOrDefault(p, p));
          }
        }
      } else if (inList && line.startsWith("#")) {
        continue; // the explanation above the list
      } else if (inList) {
        break;
      }
    }
    return listed;
  }

  /** Whether {@code path} is one of {@code listed}: itself, below it, or matching its trailing {@code *}. */
  static boolean covered(String path, List<String> listed) {
    for (String l : listed) {
      if (l.endsWith("*") ? path.startsWith(l.substring(0, l.length() - 1))
          : path.equals(l) || path.startsWith(l + "/")) {
        return true;
      }
    }
    return false;
  }
}
