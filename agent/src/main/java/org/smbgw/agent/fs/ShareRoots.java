package org.smbgw.agent.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads and sets share root ownership with the JDK's "unix" attribute view, and finds out whether
 * a root's file system keeps extended attributes (no programs run).
 */
public final class ShareRoots {
  private static final String PROBE = "smbgw.probe";
  /** Per root: the device it was probed on and the answer. A remount (a new device) asks again. */
  private final Map<Path, long[]> probed = new ConcurrentHashMap<>();

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
      return new RootState(true, (Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("mode"), empty, null,
          xattrs(path, (Long) a.get("dev")));
    } catch (NoSuchFileException e) {
      return RootState.MISSING;
    }
  }

  /**
   * Whether the file system under {@code root} keeps user extended attributes, which is where Samba
   * keeps DOS attributes (hidden, read-only, ...) when it can. Known by doing it: an attribute is
   * written and removed (zfs-fuse answers "Operation not supported"; ext4 and OpenZFS keep them).
   * The answer is kept per root until its device changes. A write that fails for another reason (a
   * full dataset, say) is answered by whether the attributes can be listed, and asked again next time.
   */
  boolean xattrs(Path root, long device) {
    long[] known = probed.get(root);
    if (known != null && known[0] == device) {
      return known[1] == 1;
    }
    UserDefinedFileAttributeView view = Files.getFileAttributeView(root, UserDefinedFileAttributeView.class,
        LinkOption.NOFOLLOW_LINKS);
    try {
      view.write(PROBE, ByteBuffer.wrap(new byte[] {1}));
      view.delete(PROBE);
      probed.put(root, new long[] {device, 1});
      return true;
    } catch (IOException e) {
      if (unsupported(e)) {
        probed.put(root, new long[] {device, 0});
        return false;
      }
      try {
        view.list();
        return true;
      } catch (IOException | RuntimeException again) {
        return false;
      }
    }
  }

  private static boolean unsupported(IOException e) {
    return e instanceof FileSystemException f && f.getReason() != null && f.getReason().contains("not supported");
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
