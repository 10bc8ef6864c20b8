package org.smbgw.agent.samba;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where smbgw's two include lines go in smb.conf, as a pure function of its lines. Samba applies
 * smb.conf in file order and a later line wins, and a share copies the [global] defaults that
 * exist when its section starts (a {@code hosts allow} in a [global] section read after a share
 * does not reach that share). So:
 * <ul>
 *   <li>smbgw's global settings are included first thing in the administrator's first [global]
 *       section (at the top of the file when there is none: lines before any section are
 *       global): every global line the administrator wrote comes later and wins, so smbgw's
 *       globals only fill in what the administrator left unsaid;</li>
 *   <li>smbgw's share sections are included at the very end, after every [global] line, so the
 *       administrator's defaults ({@code hosts allow}, {@code vfs objects}, ...) apply to them.</li>
 * </ul>
 * Each include line has its mark comment above it. Both the hook and its removal are defined
 * here, so the package's removal takes out exactly what hooking in put in.
 */
public final class SmbConfHook {
  /** The comment above the share include (the one earlier versions wrote, so they are unhooked too). */
  static final String SHARES_MARK = "# Shares managed by smbgw (do not remove this line)";
  static final String GLOBALS_MARK =
      "# Global defaults of smbgw; lines below this override them (do not remove this line)";
  private static final Set<String> GLOBAL_NAMES = Set.of("global", "globals");

  private final String globalsLine;
  private final String sharesLine;

  /**
   * @param globalsLine the include line of smbgw's global settings
   * @param sharesLine the include line of its share sections
   */
  public SmbConfHook(String globalsLine, String sharesLine) {
    this.globalsLine = globalsLine;
    this.sharesLine = sharesLine;
  }

  /** The hook of the agent whose share sections go to {@code include} (its globals beside it). */
  public static SmbConfHook forInclude(Path include) {
    return new SmbConfHook("include = " + globalsOf(include), "include = " + include);
  }

  /** Where the [global] part of {@code include} is kept: {@code smbgw-shares.conf} gives {@code smbgw-shares.global.conf}. */
  public static Path globalsOf(Path include) {
    String name = include.getFileName().toString();
    return include.resolveSibling(name.endsWith(".conf")
        ? name.substring(0, name.length() - ".conf".length()) + ".global.conf" : name + ".global");
  }

  /** Where the hook is, as line numbers from 1 in the hooked file. */
  public record Place(int globalsLine, int sharesLine) {}

  /** {@code lines} without smbgw's lines, wherever they are; every other line as it was. */
  public List<String> unhooked(List<String> lines) {
    return lines.stream().filter(l -> !ours(l)).toList();
  }

  /** {@code lines} with smbgw's lines exactly where they belong (and nowhere else). Idempotent. */
  public List<String> hooked(List<String> lines) {
    List<String> out = new ArrayList<>(unhooked(lines));
    int global = firstGlobalHeader(out);
    out.addAll(global + 1, List.of(GLOBALS_MARK, globalsLine));
    if (!out.isEmpty() && out.get(out.size() - 1).stripTrailing().endsWith("\\")) {
      out.add(""); // ends the administrator's continued line before it could swallow the mark
    }
    out.add(SHARES_MARK);
    out.add(sharesLine);
    return out;
  }

  /** Whether {@code lines} are hooked in as {@link #hooked} would leave them. */
  public boolean inPlace(List<String> lines) {
    return hooked(lines).equals(lines);
  }

  /** Where the hook is in {@code lines}, which must be {@link #inPlace}. */
  public Place place(List<String> lines) {
    return new Place(indexOf(lines, globalsLine) + 1, indexOf(lines, sharesLine) + 1);
  }

  private boolean ours(String line) {
    String l = line.strip();
    return l.equals(globalsLine) || l.equals(sharesLine) || l.equals(SHARES_MARK) || l.equals(GLOBALS_MARK);
  }

  /** The index of the first [global] header, -1 when there is none. */
  private static int firstGlobalHeader(List<String> lines) {
    for (int i = 0; i < lines.size(); i++) {
      String l = lines.get(i).strip();
      if (l.startsWith("[") && l.endsWith("]")
          && GLOBAL_NAMES.contains(l.substring(1, l.length() - 1).strip().toLowerCase(Locale.ROOT))) {
        return i;
      }
    }
    return -1;
  }

  private static int indexOf(List<String> lines, String line) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).strip().equals(line)) {
        return i;
      }
    }
    return -1;
  }
}
