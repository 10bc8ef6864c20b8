package org.smbgw.agent.users;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;

/**
 * Local accounts: observed by reading the passwd and group files once, changed with the shadow
 * tools. Accounts from NSS sources other than files (LDAP, say) are not seen; smbgw creates local
 * ones only.
 */
public final class UnixAccounts {
  private final CommandRunner runner;
  private final Path passwd;
  private final Path group;

  public UnixAccounts(CommandRunner runner, Path passwd, Path group) {
    this.runner = runner;
    this.passwd = passwd;
    this.group = group;
  }

  public static UnixAccounts system(CommandRunner runner) {
    return new UnixAccounts(runner, Path.of("/etc/passwd"), Path.of("/etc/group"));
  }

  public Map<String, UnixAccount> accounts() throws IOException {
    Map<String, UnixAccount> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(passwd, StandardCharsets.UTF_8)) {
      String[] f = line.split(":", -1);
      if (f.length >= 7) {
        try {
          out.put(f[0], new UnixAccount(f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4]));
        } catch (NumberFormatException e) {
          // a malformed line is not ours to judge; skip it
        }
      }
    }
    return out;
  }

  /**
   * Group name to gid, from the group file. Read again only when the file changed: groupadd and
   * vigr replace it (another inode), an edit in place moves its change time, which nobody can set
   * back. A pass looks a share's group up for every share it prepares and seeds: 2,000 reads of
   * the file for 1,000 new shares.
   */
  public synchronized Map<String, Integer> groups() throws IOException {
    Map<String, Object> now = Files.readAttributes(group, "unix:ino,dev,size,lastModifiedTime,ctime");
    if (now.equals(groupsRead)) {
      return groups;
    }
    Map<String, Integer> out = new LinkedHashMap<>();
    for (String line : Files.readAllLines(group, StandardCharsets.UTF_8)) {
      String[] f = line.split(":", -1);
      if (f.length >= 3) {
        try {
          out.put(f[0], Integer.parseInt(f[2]));
        } catch (NumberFormatException e) {
          // skip malformed lines
        }
      }
    }
    groups = Collections.unmodifiableMap(out);
    groupsRead = now;
    return groups;
  }

  /** The groups as last read, and the group file's attributes then. Guarded by this. */
  private Map<String, Integer> groups;
  private Map<String, Object> groupsRead;

  public void createGroup(String name) throws CommandFailedException {
    runner.run(Command.of("groupadd", "--system", name));
  }

  /** A system account with no home and no login shell, in {@code primaryGroup}. */
  public void createUser(String name, String primaryGroup) throws CommandFailedException {
    runner.run(Command.of("useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
        "--shell", "/usr/sbin/nologin", "--comment", UnixAccount.MANAGED_GECOS,
        "--no-user-group", "--gid", primaryGroup, name));
  }

  /** Removes an account; callers check {@link UnixAccount#managed()} first. */
  public void deleteUser(String name) throws CommandFailedException {
    runner.run(Command.of("userdel", name));
  }
}
