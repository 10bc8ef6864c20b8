package org.smbgw.agent.samba;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.List;
import java.util.Set;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;

/**
 * The agent's include file and its one reference from smb.conf. Installing writes a temporary
 * file beside the include, validates it with testparm, renames it into place (atomic on one
 * filesystem), then asks smbd to reload. Not thread-safe: the reconcile thread owns it.
 */
public final class SambaConfig {
  private final CommandRunner runner;
  private final AgentMetrics metrics;
  private final Path smbConf;
  private final Path include;
  private final SambaTools tools;

  public SambaConfig(CommandRunner runner, AgentMetrics metrics, Path smbConf, Path include, SambaTools tools) {
    this.runner = runner;
    this.metrics = metrics;
    this.smbConf = smbConf;
    this.include = include;
    this.tools = tools;
  }

  public Path include() {
    return include;
  }

  public Path smbConf() {
    return smbConf;
  }

  /** The include file's content, or null when it does not exist. */
  public String readInclude() throws IOException {
    try {
      return Files.readString(include, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    }
  }

  /** The line smb.conf must contain, in its [global] section, once. */
  /** The comment written above the include line. */
  static final String MARK = "# Shares managed by smbgw (do not remove this line)";

  /**
   * Takes smbgw's mark and include line out of smb.conf, wherever they are (the package's removal
   * does this). A symlinked smb.conf stays a link: its target is edited. Owner, group and mode are
   * kept; every other line stays as it was.
   *
   * @return whether anything was removed
   */
  public boolean removeIncludeFromSmbConf() throws IOException {
    if (!Files.exists(smbConf)) {
      return false;
    }
    Path real = smbConf.toRealPath();
    List<String> lines = Files.readAllLines(real, StandardCharsets.UTF_8);
    List<String> kept = lines.stream().filter(l -> !l.strip().equals(includeLine()) && !l.strip().equals(MARK)).toList();
    if (kept.size() == lines.size()) {
      return false;
    }
    Path tmp = real.resolveSibling("." + real.getFileName() + ".smbgw-tmp");
    try {
      Files.write(tmp, kept, StandardCharsets.UTF_8);
      PosixFileAttributes was = Files.readAttributes(real, PosixFileAttributes.class);
      PosixFileAttributeView now = Files.getFileAttributeView(tmp, PosixFileAttributeView.class);
      now.setPermissions(was.permissions());
      now.setOwner(was.owner());
      now.setGroup(was.group());
      move(tmp, real);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return true;
  }

  public String includeLine() {
    return "include = " + include;
  }

  /** Whether smb.conf already references the include file. */
  public boolean smbConfIncludes() throws IOException {
    try {
      return Files.readAllLines(smbConf, StandardCharsets.UTF_8).stream()
          .map(String::strip).anyMatch(l -> l.equals(includeLine()));
    } catch (NoSuchFileException e) {
      return false;
    }
  }

  /**
   * Appends the include line to smb.conf, validating the result first. The include starts with
   * its own [global] header, so it may sit anywhere in smb.conf.
   */
  public void addIncludeToSmbConf() throws IOException, CommandFailedException {
    String current = Files.exists(smbConf) ? Files.readString(smbConf, StandardCharsets.UTF_8) : "";
    String next = current + (current.isEmpty() || current.endsWith("\n") ? "" : "\n")
        + MARK + "\n" + includeLine() + "\n";
    Path tmp = smbConf.resolveSibling("." + smbConf.getFileName() + ".smbgw-tmp");
    Files.writeString(tmp, next, StandardCharsets.UTF_8);
    try {
      CommandResult r = runner.run(Command.of(tools.testparm(), "-s", "--suppress-prompt", tmp.toString()));
      if (r.stderr().contains("Error loading")) {
        throw new CommandFailedException(r.command(), 0, r.stderr(), "testparm rejected smb.conf with the include line");
      }
      move(tmp, smbConf);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Validates {@code content} and puts it in place: testparm must load it without complaint, with
   * exactly {@code expectedSections}, and read back each section's path, comment and access lists
   * as written. On any failure the old file stays untouched.
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
      List<String> problems = TestparmReport.problems(r.stdout(), r.stderr(), expectedSections, content);
      if (!problems.isEmpty()) {
        throw new CommandFailedException(check, 0, String.join("\n", problems), "testparm found problems");
      }
      move(tmp, include);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Puts back an earlier content (null: removes the file). Used to undo a failed publish. */
  public void restore(String previous) throws IOException {
    if (previous == null) {
      Files.deleteIfExists(include);
      return;
    }
    Path tmp = include.resolveSibling("." + include.getFileName() + ".restore");
    Files.writeString(tmp, previous, StandardCharsets.UTF_8);
    move(tmp, include);
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
