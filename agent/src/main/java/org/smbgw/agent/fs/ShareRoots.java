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
 * Reads and sets share root ownership with the JDK's "unix" attribute view, finds out whether
 * a root's file system keeps extended attributes, and keeps smbgw's record of the entries it put
 * on a root's Windows ACL (no programs run).
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
      // The record is read whatever the probe says: a root whose probe fails for a while (a full
      // dataset, a read-only mount) still has the ACLs it had.
      return new RootState(true, uid, (Integer) a.get("gid"), mode, empty, null,
          xattrs(path, (Long) a.get("dev"), uid, mode), aclRecord(path));
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

    long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;
  }

  /** Where smbgw records the entries it put on a root's Windows ACL: root's only, never shown to clients. */
  static final String ACL_RECORD = "trusted.smbgw.acl";
  /** Where vfs_acl_xattr keeps a file's Windows ACL. */
  static final String NTACL = "security.NTACL";
  /** Linux's ENODATA: no such attribute. */
  private static final int ENODATA = 61;

  /**
   * The entries smbgw recorded as its own on the root's Windows ACL (one per line), null when it
   * never put an ACL there (or the file system keeps no such attributes). Its presence is what
   * says that the share's files carry Windows ACLs. It lives on the root itself, so it moves with
   * the data (shared storage, a renamed dataset).
   */
  public String aclRecord(Path root) throws IOException {
    byte[] value = attribute(root, ACL_RECORD);
    return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
  }

  /** Whether Samba stored a Windows ACL on {@code path} (without one, what it shows is made up from modes). */
  public boolean hasNtAcl(Path path) throws IOException {
    return attribute(path, NTACL) != null;
  }

  public void recordAcl(Path root, String record) throws IOException {
    byte[] value = record.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    try {
      Xattr.LIBC.lsetxattr(root.toString(), ACL_RECORD, value, value.length, 0);
    } catch (LastErrorException e) {
      throw new IOException("cannot record smbgw's ACL entries on " + root + ": errno " + e.getErrorCode());
    }
  }

  /** An extended attribute's value, or null when there is none (or the file system has none). */
  private static byte[] attribute(Path path, String name) throws IOException {
    try {
      for (int size = 4096; ; size *= 4) {
        byte[] buf = new byte[size];
        try {
          long n = Xattr.LIBC.lgetxattr(path.toString(), name, buf, buf.length);
          return java.util.Arrays.copyOf(buf, (int) n);
        } catch (LastErrorException e) {
          if (e.getErrorCode() != ERANGE || size > (1 << 20)) {
            throw e;
          }
        }
      }
    } catch (LastErrorException e) {
      if (e.getErrorCode() == ENODATA || e.getErrorCode() == EOPNOTSUPP) {
        return null;
      }
      throw new IOException("cannot read " + name + " of " + path + ": errno " + e.getErrorCode());
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      throw new IOException("cannot read extended attributes without the C library: " + e.getMessage());
    }
  }

  private static final int ERANGE = 34;

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
