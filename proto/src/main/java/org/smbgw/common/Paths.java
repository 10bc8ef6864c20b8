package org.smbgw.common;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/** Rules for filesystem paths and ZFS dataset names that reach the system. */
public final class Paths {
  private static final Pattern DATASET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:-]*(/[A-Za-z0-9_.:-]+)*");
  public static final int DATASET_MAX = 200;

  private Paths() {}

  /**
   * An absolute, normalised path with no {@code ..}, spaced as smb.conf reads it back (see
   * {@link Text#spacing}) and without backslashes, under one of {@code roots}. An empty
   * {@code roots} list means no directory storage is allowed on this side.
   */
  public static void directoryUnderRoots(String field, String path, List<Path> roots, List<Violation> out) {
    if (path == null || path.isEmpty()) {
      out.add(new Violation(field, "a path is required"));
      return;
    }
    if (Text.firstControl(path) >= 0 || path.indexOf('%') >= 0 || path.indexOf('"') >= 0) {
      out.add(new Violation(field, "must not contain control characters, '%' or '\"'"));
      return;
    }
    if (path.indexOf('\\') >= 0) {
      out.add(new Violation(field, "must not contain '\\' (at the end smb.conf would join the next line to "
          + "it, and SMB clients read it as a separator)"));
      return;
    }
    List<Violation> spacing = new java.util.ArrayList<>();
    Text.spacing(field, path, spacing);
    if (!spacing.isEmpty()) {
      out.addAll(spacing);
      return;
    }
    if (!path.startsWith("/")) {
      out.add(new Violation(field, "must be an absolute path (got " + Text.quote(path) + ")"));
      return;
    }
    for (String part : path.split("/")) {
      if (part.equals("..") || part.equals(".")) {
        out.add(new Violation(field, "must not contain '.' or '..' components"));
        return;
      }
    }
    Path p = Path.of(path);
    if (!p.normalize().toString().equals(path)) {
      out.add(new Violation(field, "must be normalised (no '//' and no trailing '/'): "
          + Text.quote(path) + " should be " + Text.quote(p.normalize().toString())));
      return;
    }
    if (roots.stream().noneMatch(r -> p.startsWith(r) && !p.equals(r))) {
      out.add(new Violation(field, "must be below one of the directory roots "
          + (roots.isEmpty() ? "(none are configured on this node)" : roots.toString())));
    }
  }

  public static void datasetName(String field, String name, List<Violation> out) {
    if (name == null || name.length() > DATASET_MAX || !DATASET.matcher(name).matches()
        || name.contains("/../") || name.endsWith("/..") || name.contains("/./")) {
      out.add(new Violation(field, "a ZFS dataset is pool/path of letters, digits, '_', '-', "
          + "'.' and ':', at most " + DATASET_MAX + " characters (got " + Text.quote(name) + ")"));
    }
  }
}
