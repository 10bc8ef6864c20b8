package org.smbgw.agent.samba;

import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * Who is who to this node's Samba: the machine's SID (which names its local accounts), the
 * domain SID it keeps (Samba's own tools read it), and each account's SID. In a cluster both are
 * the cluster's SID and each account's is that followed by the user's RID, so a Windows ACL names
 * the same user on every node.
 */
public final class SambaIds {
  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path smbConf;
  private final Restart restart;
  /** There while smbd still owes a restart for a machine SID it has not read yet. */
  private final Path restartOwed;

  /** Restarts smbd: it reads the machine's SID once, when it starts (measured: a reload keeps the old one). */
  @FunctionalInterface
  public interface Restart {
    void restart() throws Exception;
  }

  /** @param restartOwed a file of the agent's state: there while a restart of smbd is owed */
  public SambaIds(CommandRunner runner, SambaTools tools, Path smbConf, Restart restart, Path restartOwed) {
    this.runner = runner;
    this.tools = tools;
    this.smbConf = smbConf;
    this.restart = restart;
    this.restartOwed = restartOwed;
  }

  /** @param domain the domain SID Samba keeps, or null when it keeps none */
  public record Machine(String local, String domain) {}

  /**
   * What was seen: the machine's SIDs and each account's, or why they could not be read (then
   * {@code machine} is null and nothing depends on them this pass).
   */
  public record Seen(Machine machine, Map<String, String> accounts, String problem, boolean restartOwed) {
    public static final Seen UNKNOWN = new Seen(null, Map.of(), "not looked at", false);

    public Seen(Machine machine, Map<String, String> accounts, String problem) {
      this(machine, accounts, problem, false);
    }

    public Seen {
      accounts = Map.copyOf(accounts);
    }
  }

  /**
   * What {@link #machine} and {@link #accounts} saw, as {@code machine} and {@code accounts} give
   * it (they may have been run side by side); a program's failure in either is told, never thrown:
   * it costs Windows ACLs, not the pass.
   */
  public Seen seen(java.util.concurrent.Callable<Machine> machine, java.util.concurrent.Callable<Map<String, String>> accounts)
      throws Exception {
    boolean owed = java.nio.file.Files.exists(restartOwed);
    try {
      return new Seen(machine.call(), accounts.call(), null, owed);
    } catch (CommandFailedException e) {
      return new Seen(null, Map.of(), e.getMessage(), owed);
    }
  }

  /** From one {@code net getdomainsid}: it exits 1 when there is no domain SID, after the local one. */
  public Machine machine() throws CommandFailedException {
    Command cmd = Command.of(tools.net(), "--configfile=" + smbConf, "getdomainsid");
    CommandResult r = runner.runAllowingFailure(cmd);
    Machine m = parseMachine(r.stdout());
    if (m.local() == null) {
      throw new CommandFailedException(cmd, r.exitCode(), r.stderr(), "net did not tell this machine's SID");
    }
    return m;
  }

  static Machine parseMachine(String text) {
    String local = null;
    String domain = null;
    for (String line : text.split("\n")) {
      int is = line.lastIndexOf(" is: ");
      if (is < 0) {
        continue;
      }
      String sid = line.substring(is + 5).strip();
      if (line.startsWith("SID for local machine ")) {
        local = sid;
      } else if (line.startsWith("SID for domain ")) {
        domain = sid;
      }
    }
    return new Machine(local, domain);
  }

  /** Every Samba account's SID, by name, from one {@code pdbedit -L -v}. */
  public Map<String, String> accounts() throws CommandFailedException {
    return parseAccounts(runner.run(Command.of(tools.pdbedit(), "--configfile=" + smbConf, "-L", "-v")).stdout());
  }

  static Map<String, String> parseAccounts(String text) {
    Map<String, String> out = new TreeMap<>();
    String name = null;
    for (String line : text.split("\n")) {
      if (line.startsWith("Unix username:")) {
        name = line.substring(line.indexOf(':') + 1).strip();
      } else if (line.startsWith("User SID:") && name != null) {
        out.put(name, line.substring(line.indexOf(':') + 1).strip());
        name = null;
      }
    }
    return out;
  }

  /**
   * Sets this machine's SID and the domain SID Samba keeps, and restarts smbd when asked (the
   * machine's SID changed, or a restart is still owed): a running smbd goes on naming users by the SID it read at start, so
   * an ACL naming them by the new one would deny them (measured with Samba 4.17). Clients
   * connected then reconnect; it happens once, when a node first joins a cluster.
   */
  public void setMachine(String local, String domain, boolean restartSmbd) throws Exception {
    if (restartSmbd) {
      // Owed from before the change, so that a failure anywhere below is made good next pass.
      java.nio.file.Files.createDirectories(restartOwed.getParent());
      java.nio.file.Files.writeString(restartOwed, "smbd must restart to read Samba's machine SID " + local + "\n");
    }
    runner.run(Command.of(tools.net(), "--configfile=" + smbConf, "setlocalsid", local));
    runner.run(Command.of(tools.net(), "--configfile=" + smbConf, "setdomainsid", domain));
    if (restartSmbd) {
      restart.restart();
      java.nio.file.Files.deleteIfExists(restartOwed);
    }
  }

  /** Gives account {@code name} the SID {@code sid} (it must lie in the machine's domain). */
  public void setAccount(String name, String sid) throws CommandFailedException {
    runner.run(Command.of(tools.pdbedit(), "--configfile=" + smbConf, "-r", "-u", name, "-U", sid));
  }
}
