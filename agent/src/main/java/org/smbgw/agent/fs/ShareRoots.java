package org.smbgw.agent.fs;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and sets share root ownership with the JDK's "unix" attribute view, and finds out whether
 * a root's file system keeps extended attributes (no programs run).
 */
public final class ShareRoots {
  private static final String PROBE = "user.smbgw.probe";
  /** Per root: the device it was probed on and the answer. A remount (a new device) asks again. */
  private final Map<Path, Probe> probed = new ConcurrentHashMap<>();

  public RootState stat(Path path) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:uid,gid,mode,dev", LinkOption.NOFOLLOW_LINKS);
      if (Files.isSymbolicLink(path)) {
        throw new IOException(path + " is a symbolic link; smbgw never serves or changes a share root through a link");
      }
      if (!Files.isDirectory(path, LinkOption.NOFOLLOW_LINKS)) {
        throw new IOException(path + " exists and is not a directory");
      }
      boolean empty;
      try (var entries = Files.list(path)) {
        empty = entries.findAny().isEmpty();
      }
      int uid = (Integer) a.get("uid");
      int mode = (Integer) a.get("mode");
      return new RootState(true, uid, (Integer) a.get("gid"), mode, empty, null,
          xattrs(path, (Long) a.get("dev"), uid, mode));
    } catch (NoSuchFileException e) {
      return RootState.MISSING;
    }
  }

  /**
   * Whether the file system under {@code root} keeps user extended attributes, which is where Samba
   * keeps DOS attributes (hidden, read-only, ...) when it can. Known by doing it: an attribute is
   * written and removed on the root (zfs-fuse answers EOPNOTSUPP; ext4 and OpenZFS keep them), but
   * only on a root smbgw has prepared (root's, mode 2770), never in a directory it has not taken
   * over. The answer is kept per root until its device changes; one that is not an answer (a full
   * dataset, a read-only mount, no root yet) counts as none, which puts attributes in mode bits,
   * and is asked again next time.
   */
  boolean xattrs(Path root, long device, int uid, int mode) {
    Probe known = probed.get(root);
    if (known != null && known.device() == device) {
      return known.xattrs();
    }
    if (uid != 0 || (mode & 07777) != RootState.SHARE_MODE) {
      return false;
    }
    try {
      Xattr.LIBC.lsetxattr(root.toString(), PROBE, new byte[] {1}, 1, 0);
      Xattr.LIBC.lremovexattr(root.toString(), PROBE);
      probed.put(root, new Probe(device, true));
      return true;
    } catch (LastErrorException e) {
      if (e.getErrorCode() == EOPNOTSUPP) {
        probed.put(root, new Probe(device, false));
      }
      return false;
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      return false;
    }
  }

  private record Probe(long device, boolean xattrs) {}

  /** Linux's EOPNOTSUPP (ENOTSUP is the same number): the file system has no such attributes. */
  private static final int EOPNOTSUPP = 95;

  private interface Xattr extends Library {
    Xattr LIBC = Native.load("c", Xattr.class);

    int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

    int lremovexattr(String path, String name) throws LastErrorException;
  }

  /** Owner root, the share group, mode 2770. */
  public void prepare(Path path, int gid) throws IOException {
    set(path, new RootState(true, 0, gid, RootState.SHARE_MODE));
  }

  public void set(Path path, RootState s) throws IOException {
    Files.setAttribute(path, "unix:uid", s.uid(), LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", s.gid(), LinkOption.NOFOLLOW_LINKS);
    // chown clears the setgid bit, so the mode goes last.
    Files.setAttribute(path, "unix:mode", s.mode() & 07777, LinkOption.NOFOLLOW_LINKS);
  }

  /** Creates {@code path} and missing parents; returns those it created, outermost first. */
  public List<Path> createDirectories(Path path) throws IOException {
    List<Path> created = new ArrayList<>();
    for (Path p = path; p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS); p = p.getParent()) {
      created.add(0, p);
    }
    for (Path p : created) {
      Files.createDirectory(p);
    }
    return created;
  }
}
