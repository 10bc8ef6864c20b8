package org.smbgw.agent.fs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads and sets share root ownership with the JDK's "unix" attribute view (no programs run). */
public final class ShareRoots {
  public RootState stat(Path path) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(path, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS);
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
      return new RootState(true, (Integer) a.get("uid"), (Integer) a.get("gid"), (Integer) a.get("mode"), empty, null);
    } catch (NoSuchFileException e) {
      return RootState.MISSING;
    }
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
