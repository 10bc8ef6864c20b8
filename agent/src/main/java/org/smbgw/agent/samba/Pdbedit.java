package org.smbgw.agent.samba;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * Samba accounts. Hashes are set by importing an smbpasswd-format file: pdbedit's
 * {@code --set-nt-hash} would put a password-equivalent on a command line (visible in ps), and
 * its smbpasswd reader cannot read a pipe (measured: it fails on /dev/stdin). So the hashes go to
 * a file only root can read, in a directory only root can enter, deleted right after.
 */
public final class Pdbedit {
  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path smbConf;
  private final Path privateDir;

  public Pdbedit(CommandRunner runner, SambaTools tools, Path smbConf, Path privateDir) {
    this.runner = runner;
    this.tools = tools;
    this.smbConf = smbConf;
    this.privateDir = privateDir;
  }

  /** An account to set: the unix uid it maps to, and its NT hash. */
  public record Account(String name, int uid, String ntHash) {}

  /** Every Samba account and its NT hash (upper case), from one {@code pdbedit -L -w}. */
  public Map<String, String> hashes() throws CommandFailedException {
    CommandResult r = runner.run(Command.of(tools.pdbedit(), "--configfile=" + smbConf, "-L", "-w"));
    return parseSmbpasswd(r.stdout());
  }

  static Map<String, String> parseSmbpasswd(String text) {
    Map<String, String> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      String[] f = line.split(":", -1);
      if (f.length >= 4 && !f[0].isEmpty()) {
        out.put(f[0], f[3].toUpperCase(Locale.ROOT));
      }
    }
    return out;
  }

  /** Creates or updates all {@code accounts} in one pdbedit call; throws naming those that failed. */
  public void importHashes(List<Account> accounts) throws IOException, CommandFailedException {
    if (accounts.isEmpty()) {
      return;
    }
    Files.createDirectories(privateDir);
    Files.setPosixFilePermissions(privateDir, PosixFilePermissions.fromString("rwx------"));
    // One left by an agent killed while importing holds hashes: gone before anything else.
    try (var left = Files.newDirectoryStream(privateDir, "import-*.smbpasswd")) {
      for (Path old : left) {
        Files.deleteIfExists(old);
      }
    }
    Path file = privateDir.resolve("import-" + ProcessHandle.current().pid() + ".smbpasswd");
    StringBuilder b = new StringBuilder();
    String lastChange = String.format("LCT-%08X", System.currentTimeMillis() / 1000);
    String noLmHash = "X".repeat(32); // smbpasswd's way of saying "no LM hash": LM is never stored
    for (Account a : accounts) {
      // 'X': the password does not expire; LCT now, so Samba does not demand a change.
      b.append(a.name()).append(':').append(a.uid()).append(':').append(noLmHash).append(':')
          .append(a.ntHash()).append(":[UX         ]:").append(lastChange).append(":\n");
    }
    try {
      Files.deleteIfExists(file);
      Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.writeString(file, b, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING);
      Command cmd = Command.of(tools.pdbedit(), "--configfile=" + smbConf, "-i", "smbpasswd:" + file);
      CommandResult r = runner.run(cmd);
      List<String> failed = new ArrayList<>();
      for (Account a : accounts) {
        if (!(r.stdout() + r.stderr()).contains("Importing account for " + a.name() + "...ok")) {
          failed.add(a.name());
        }
      }
      if (!failed.isEmpty()) {
        throw new CommandFailedException(cmd, 0, r.stderr(), "pdbedit did not import " + failed);
      }
    } finally {
      Files.deleteIfExists(file);
    }
  }

  public void delete(String name) throws CommandFailedException {
    runner.run(Command.of(tools.pdbedit(), "--configfile=" + smbConf, "-x", "-u", name));
  }
}
