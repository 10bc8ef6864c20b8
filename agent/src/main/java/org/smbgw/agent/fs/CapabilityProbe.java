package org.smbgw.agent.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * Finds out what share roots' storage can do by trying it on the roots themselves. Extended
 * attributes: writes and removes {@code user.smbgw.probe} with the JDK (no program runs). POSIX
 * ACLs: one {@code getfattr} over every root asks for {@code system.posix_acl_access}; a file
 * system without ACLs answers "Operation not supported", one with them the ACL or "No such
 * attribute". Only reads and that one attribute: nothing a client sees changes.
 */
public final class CapabilityProbe {
  static final String PROBE = "smbgw.probe";
  private final CommandRunner runner;
  private final String getfattr;

  public CapabilityProbe(CommandRunner runner, String getfattr) {
    this.runner = runner;
    this.getfattr = getfattr;
  }

  public static CapabilityProbe system(CommandRunner runner) {
    return new CapabilityProbe(runner, "/usr/bin/getfattr");
  }

  /** Capabilities of each existing directory in {@code roots}; others are left out. */
  public Map<Path, Capabilities> probe(Collection<Path> roots) {
    // A link is no share root (ShareRoots refuses one): nothing is probed through it.
    List<Path> dirs = roots.stream().filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS))
        .distinct().sorted().toList();
    Map<Path, Capabilities> out = new LinkedHashMap<>();
    if (dirs.isEmpty()) {
      return out;
    }
    Set<Path> acls = posixAcls(dirs);
    for (Path d : dirs) {
      boolean xattrs = xattrs(d);
      // POSIX ACLs live in extended attributes: zfs-fuse answers a read of the ACL attribute with
      // "No such attribute" as if it had them, yet can store no attribute at all.
      out.put(d, new Capabilities(true, xattrs, xattrs && acls.contains(d)));
    }
    return out;
  }

  static boolean xattrs(Path dir) {
    try {
      UserDefinedFileAttributeView view = Files.getFileAttributeView(dir, UserDefinedFileAttributeView.class);
      if (view == null) {
        return false;
      }
      view.write(PROBE, ByteBuffer.wrap(new byte[] {1}));
      view.delete(PROBE);
      return true;
    } catch (IOException | UnsupportedOperationException e) {
      return false;
    }
  }

  /** The roots whose file system knows POSIX ACLs; none when getfattr cannot run. */
  private Set<Path> posixAcls(List<Path> dirs) {
    List<String> argv = new ArrayList<>(List.of(getfattr, "--absolute-names", "-n", "system.posix_acl_access", "--"));
    dirs.forEach(d -> argv.add(d.toString()));
    CommandResult r;
    try {
      r = runner.runAllowingFailure(Command.of(argv));
    } catch (Exception e) {
      return Set.of();
    }
    return supported(dirs, r.stderr());
  }

  /**
   * Roots getfattr reported nothing bad for: only "No such attribute" (no ACL set yet) or the ACL
   * itself. "Operation not supported" means no ACLs; any other failure tells nothing good either.
   */
  static Set<Path> supported(List<Path> dirs, String stderr) {
    Set<Path> out = new HashSet<>(dirs);
    for (String line : stderr.split("\n")) {
      String l = line.startsWith("getfattr: ") ? line.substring("getfattr: ".length()) : line;
      if (l.endsWith("No such attribute")) {
        continue;
      }
      dirs.stream().filter(d -> l.startsWith(d + ": ")).forEach(out::remove);
    }
    return out;
  }
}
