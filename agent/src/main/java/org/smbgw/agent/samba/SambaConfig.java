package org.smbgw.agent.samba;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/**
 * The agent's include file and its hook in smb.conf. The rendered include is kept as two files
 * (the rest of the agent sees one text): its [global] part, included first thing in smb.conf's
 * [global] section so the administrator's own global lines win, and its share sections, included
 * at the end of smb.conf so the administrator's global defaults reach them ({@link SmbConfHook}
 * says why). Installing validates the whole text with testparm in a temporary file, then renames
 * both parts into place (atomic each on one filesystem) and asks smbd to reload. smb.conf itself
 * is edited only to hook in or out: a symlink is followed and its target edited in place, with its
 * owner, group and mode, and the first edit keeps the original beside it ({@link #backup()}),
 * never overwritten. Not thread-safe: the reconcile thread owns it (the package's removal runs in
 * its own process).
 */
public final class SambaConfig {
  private final CommandRunner runner;
  private final AgentMetrics metrics;
  private final Path smbConf;
  private final Path include;
  private final Path globals;
  private final SmbConfHook hook;
  private final SambaTools tools;

  public SambaConfig(CommandRunner runner, AgentMetrics metrics, Path smbConf, Path include, SambaTools tools) {
    this.runner = runner;
    this.metrics = metrics;
    this.smbConf = smbConf;
    this.include = include;
    this.globals = SmbConfHook.globalsOf(include);
    this.hook = SmbConfHook.forInclude(include);
    this.tools = tools;
  }

  public Path include() {
    return include;
  }

  public Path globals() {
    return globals;
  }

  public Path smbConf() {
    return smbConf;
  }

  /** The original smb.conf as it was before smbgw first hooked in, beside the file smb.conf is (or links to). */
  public Path backup() throws IOException {
    Path real = smbConf.toRealPath();
    return real.resolveSibling(real.getFileName() + ".smbgw-orig");
  }

  /**
   * The include's content as one text (its [global] part, then its share sections), or null when
   * the share file does not exist.
   */
  public String readInclude() throws IOException {
    String shares;
    try {
      shares = Files.readString(include, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
    String global;
    try {
      global = Files.readString(globals, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      global = ""; // an include from before the split: it differs from any render, so it is rewritten
    }
    return global + (shares.startsWith(IncludeRenderer.HEADER) ? shares.substring(IncludeRenderer.HEADER.length()) : shares);
  }

  /** The line smb.conf must contain, at its end, once (a second one includes the globals). */
  public String includeLine() {
    return "include = " + include;
  }

  /**
   * Takes smbgw's marks and include lines out of smb.conf, wherever they are (the package's
   * removal does this). A symlinked smb.conf stays a link: its target is edited. Owner, group and
   * mode are kept; every other line stays as it was. The backup stays.
   *
   * @return whether anything was removed
   */
  public boolean removeIncludeFromSmbConf() throws IOException {
    if (!Files.exists(smbConf)) {
      return false;
    }
    Path real = smbConf.toRealPath();
    List<String> lines = Files.readAllLines(real, StandardCharsets.UTF_8);
    List<String> kept = hook.unhooked(lines);
    if (kept.size() == lines.size()) {
      return false;
    }
    SambaConfig.<RuntimeException>replace(real, kept, tmp -> { });
    return true;
  }

  /** Whether smb.conf is hooked in exactly where {@link SmbConfHook} puts the lines. */
  public boolean smbConfIncludes() throws IOException {
    try {
      return hook.inPlace(Files.readAllLines(smbConf, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * Where smbgw hooked into smb.conf, for people ({@code smbgw node show}), or why it is not.
   * Only reads; any thread.
   */
  public String hookDescription() {
    try {
      List<String> lines = Files.readAllLines(smbConf, StandardCharsets.UTF_8);
      Path real = smbConf.toRealPath();
      String file = smbConf + (real.equals(smbConf) ? "" : " (a link to " + real + ")");
      if (!hook.inPlace(lines)) {
        return file + ": not hooked in yet";
      }
      SmbConfHook.Place at = hook.place(lines);
      return file + ": globals " + globals + " at line " + at.globalsLine() + " (first in [global], the administrator's lines"
          + " win), shares " + include + " at line " + at.sharesLine() + " (last)";
    } catch (IOException e) {
      return smbConf + ": cannot be read (" + e.getMessage() + ")";
    }
  }

  /**
   * Puts smbgw's lines where {@link SmbConfHook} says, validating the result with testparm first.
   * A symlinked smb.conf stays a link; the first change keeps the original as {@link #backup()}.
   */
  public void addIncludeToSmbConf() throws IOException, CommandFailedException {
    if (Files.isSymbolicLink(smbConf) && !Files.exists(smbConf)) {
      throw new IOException(smbConf + " is a link to " + Files.readSymbolicLink(smbConf)
          + ", which does not exist; smbgw follows the link and will not replace it");
    }
    Path real = Files.exists(smbConf) ? smbConf.toRealPath() : smbConf;
    List<String> lines = Files.exists(real) ? Files.readAllLines(real, StandardCharsets.UTF_8) : List.of();
    List<String> next = hook.hooked(lines);
    if (next.equals(lines)) {
      return;
    }
    replace(real, next, tmp -> {
      CommandResult r = runner.run(Command.of(tools.testparm(), "-s", "--suppress-prompt", tmp.toString()));
      if (r.stderr().contains("Error loading")) {
        throw new CommandFailedException(r.command(), 0, r.stderr(), "testparm rejected smb.conf with smbgw's include lines");
      }
    });
  }

  /** A look at the candidate smb.conf before it replaces the real one. */
  private interface Check<E extends Exception> {
    void accept(Path candidate) throws IOException, E;
  }

  /**
   * Writes {@code lines} to {@code real} through a temporary file beside it that gets the
   * original's owner, group and mode and passes {@code check}; the first time, keeps the original
   * as the backup (never overwritten).
   */
  private static <E extends Exception> void replace(Path real, List<String> lines, Check<E> check) throws IOException, E {
    Path tmp = real.resolveSibling("." + real.getFileName() + ".smbgw-tmp");
    try {
      Files.write(tmp, lines, StandardCharsets.UTF_8);
      if (Files.exists(real)) {
        PosixFileAttributes was = Files.readAttributes(real, PosixFileAttributes.class);
        PosixFileAttributeView now = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
        now.setPermissions(was.permissions());
        now.setOwner(was.owner());
        now.setGroup(was.group());
      }
      check.accept(tmp);
      Path backup = real.resolveSibling(real.getFileName() + ".smbgw-orig");
      if (Files.exists(real) && !Files.exists(backup, LinkOption.NOFOLLOW_LINKS)) {
        Files.copy(real, backup, StandardCopyOption.COPY_ATTRIBUTES);
      }
      move(tmp, real);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Validates {@code content} (as rendered: a [global] part, then share sections) and puts its
   * two parts in place, the globals first: testparm must load it without complaint, with exactly
   * {@code expectedSections}, and read back each section's path, comment and access lists as
   * written. On a failed check both files stay untouched; a failure between the two renames
   * leaves a mix that the next pass sees as drift and rewrites.
   *
   * @param expectedSections the share sections {@code content} defines, checked against testparm
   */
  public void install(String content, Set<String> expectedSections) throws IOException, CommandFailedException {
    Path tmp = include.resolveSibling("." + include.getFileName() + ".tmp");
    Files.createDirectories(include.getParent());
    Files.writeString(tmp, content, StandardCharsets.UTF_8);
    try {
      Command check = Command.of(tools.testparm(), "-s", "--suppress-prompt", tmp.toString());
      CommandResult r = runner.run(check);
      TestparmReport.Findings found = TestparmReport.check(r.stdout(), r.stderr(), expectedSections, content);
      if (found.onlyShares()) {
        throw new SectionsMisread(check, found.byShare());
      }
      if (!found.problems().isEmpty()) {
        throw new CommandFailedException(check, 0, String.join("\n", found.problems()), "testparm found problems");
      }
      writeParts(content, ".tmp");
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * testparm read some share sections other than they were rendered (and found nothing else
   * wrong): nothing was installed, and publishing without those shares can go ahead.
   */
  public static final class SectionsMisread extends CommandFailedException {
    private final Map<String, String> byShare;

    SectionsMisread(Command check, Map<String, String> byShare) {
      super(check, 0, String.join("\n", byShare.values()), "testparm read shares other than rendered: " + byShare.keySet());
      this.byShare = Map.copyOf(byShare);
    }

    /** Share to what testparm read differently. */
    public Map<String, String> byShare() {
      return byShare;
    }
  }

  /** Puts back an earlier content (null: removes both files). Used to undo a failed publish. */
  public void restore(String previous) throws IOException {
    if (previous == null) {
      Files.deleteIfExists(include);
      Files.deleteIfExists(globals);
      return;
    }
    writeParts(previous, ".restore");
  }

  /**
   * Splits {@code content} before its first share section: what comes before goes to the globals
   * file, the rest (under the generated-file header) to the share file. {@link #readInclude} joins
   * them back to {@code content}.
   */
  private void writeParts(String content, String suffix) throws IOException {
    int at = sharesStart(content);
    write(globals, content.substring(0, at), suffix);
    write(include, IncludeRenderer.HEADER + content.substring(at), suffix);
  }

  /** Where the first section other than [global] starts in {@code content}, its length when none does. */
  static int sharesStart(String content) {
    int at = 0;
    for (String line : content.split("\n", -1)) {
      String l = line.strip();
      if (l.startsWith("[") && !l.equalsIgnoreCase("[global]")) {
        return at;
      }
      at += line.length() + 1;
    }
    return content.length();
  }

  private static void write(Path file, String content, String suffix) throws IOException {
    if (holds(file, content)) {
      return; // unchanged: smbd need not read it again, nor its time move on
    }
    Path tmp = file.resolveSibling("." + file.getFileName() + suffix);
    try {
      Files.writeString(tmp, content, StandardCharsets.UTF_8);
      laterThanReplaced(tmp, file);
      move(tmp, file);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Whether {@code file} is a regular file with exactly {@code content} (false when it cannot be read as text). */
  private static boolean holds(Path file, String content) {
    try {
      return Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
          && content.equals(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * smbd tells a changed configuration file by its time in whole seconds (Samba 4.17; measured: a
   * share taken out within the second of the last change was still served to new connections). A
   * file replaced within that second would go unseen by new connections until smbd is told to
   * reload, and a failed-over share's address comes up before that (see the executor). The new
   * file is dated a second after the one it replaces when it would not be.
   */
  private static void laterThanReplaced(Path tmp, Path file) throws IOException {
    long was;
    try {
      was = Files.getLastModifiedTime(file).to(TimeUnit.SECONDS);
    } catch (NoSuchFileException e) {
      return;
    }
    if (Files.getLastModifiedTime(tmp).to(TimeUnit.SECONDS) <= was) {
      Files.setLastModifiedTime(tmp, FileTime.from(was + 1, TimeUnit.SECONDS));
    }
  }

  /**
   * Makes smbd end every connection to a share: clients reconnect (Windows does so by itself) and
   * get a fresh view of the share's files, as after a remount under them.
   */
  public void closeShare(String share) throws CommandFailedException {
    runner.run(Command.of(tools.smbcontrol(), "--configfile=" + smbConf, "smbd", "close-share", share));
  }

  /** Tells the running smbd to re-read its configuration. Fails when no smbd runs. */
  public void reload() throws CommandFailedException {
    runner.run(Command.of(tools.smbcontrol(), "--configfile=" + smbConf, "smbd", "reload-config"));
    metrics.smbdReloads().inc();
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
