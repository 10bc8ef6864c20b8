package org.smbgw.agent.zfs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
  /** How long all the mounts of one pass get to answer; a healthy one answers in microseconds. */
  static final Duration ANSWER_WITHIN = Duration.ofSeconds(5);
  private final Path file;
  private final Predicate<Path> dead;
  private final Duration answerWithin;
  /**
   * Asks are made on threads of their own: a FUSE daemon that is alive but hung (seen here with
   * zfs-fuse) blocks statfs for good, and a pass that asked on its own thread never ended. A
   * thread stuck so stays stuck; a mount whose last ask has not come back is not asked again, so
   * there is at most one such thread per mount.
   */
  private final ExecutorService asks = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "smbgw-mount-statfs");
    t.setDaemon(true);
    return t;
  });
  private final Map<Path, Future<Boolean>> unanswered = new ConcurrentHashMap<>();

  /** @param dead whether the mount at a path is dead (its file system no longer answers) */
  public MountTable(Path file, Predicate<Path> dead) {
    this(file, dead, ANSWER_WITHIN);
  }

  MountTable(Path file, Predicate<Path> dead, Duration answerWithin) {
    this.file = file;
    this.dead = dead;
    this.answerWithin = answerWithin;
  }

  public static MountTable proc() {
    return new MountTable(Path.of("/proc/self/mounts"), MountTable::notConnected);
  }

  /**
   * Those of {@code mountpoints} whose mount is dead: its daemon gone (ENOTCONN), which only
   * detaching and mounting again mends. A mount that does not answer within {@link
   * #ANSWER_WITHIN} (for all of them together) is not judged this pass: a daemon that is only slow
   * (busy syncing) must not have its mounts torn from under its clients, and one that hangs gets
   * nothing from a remount it would not answer either. Either way the pass goes on.
   */
  public Set<String> dead(Collection<String> mountpoints) {
    // An ask that came back after its pass gave up on it tells nothing about now: ask again.
    unanswered.values().removeIf(Future::isDone);
    Map<String, Future<Boolean>> asked = new LinkedHashMap<>();
    Set<String> stillStuck = new TreeSet<>();
    for (String m : mountpoints) {
      Future<Boolean> earlier = unanswered.get(Path.of(m));
      if (earlier != null) {
        stillStuck.add(m); // not answered since an earlier pass: not waited for again
      } else {
        Future<Boolean> f = asks.submit(() -> dead.test(Path.of(m)));
        unanswered.put(Path.of(m), f);
        asked.put(m, f);
      }
    }
    long deadline = System.nanoTime() + answerWithin.toNanos();
    Set<String> out = new TreeSet<>();
    for (Map.Entry<String, Future<Boolean>> e : asked.entrySet()) {
      Future<Boolean> f = e.getValue();
      try {
        boolean isDead = f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        unanswered.remove(Path.of(e.getKey()), f);
        if (isDead) {
          out.add(e.getKey());
        }
      } catch (TimeoutException t) {
        stillStuck.add(e.getKey());
      } catch (ExecutionException x) {
        unanswered.remove(Path.of(e.getKey()), f);
        log.warn("cannot ask mount {}: {}", e.getKey(), x.getCause().toString());
      } catch (InterruptedException x) {
        Thread.currentThread().interrupt();
        return out;
      }
    }
    if (!stillStuck.isEmpty()) {
      log.warn("mount(s) {} did not answer statfs within {} s (their file system daemon is busy or hung); "
          + "not judged this pass", stillStuck, answerWithin.toSeconds());
    }
    return out;
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
