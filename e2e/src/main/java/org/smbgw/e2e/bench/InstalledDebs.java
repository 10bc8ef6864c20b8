package org.smbgw.e2e.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * The three .deb files the build made, installed with dpkg on this machine for as long as this is
 * open. {@link #close} purges them and removes the system accounts their maintainer scripts made
 * (Debian keeps those on purge; this machine is not a node). A machine where any of the packages
 * is installed already is a real installation and is never touched: {@link #install} refuses.
 */
public final class InstalledDebs implements AutoCloseable {
  public static final List<String> PACKAGES = List.of("smbgw-agent", "smbgw-coordinator", "smbgw");
  private static final List<String> ACCOUNTS = List.of("passwd:smbgw-coordinator", "group:smbgw-coordinator", "group:smbgw");

  private static final Duration LOCK_WAIT = Duration.ofMinutes(10);

  private final CommandRunner runner;
  /** Accounts that existed before the install: never removed. */
  private final List<String> accountsBefore;

  private InstalledDebs(CommandRunner runner, List<String> accountsBefore) {
    this.runner = runner;
    this.accountsBefore = accountsBefore;
  }

  /** The first of the packages installed on this machine, or null when none is. */
  public static String anyInstalled(CommandRunner runner) throws CommandFailedException {
    for (String p : PACKAGES) {
      CommandResult r = runner.runAllowingFailure(Command.of("dpkg-query", "-W", "-f=${Status}", p));
      if (r.succeeded() && r.stdout().contains("install ok installed")) {
        return p;
      }
    }
    return null;
  }

  /**
   * Installs the packages from {@code debs} (the packaging module's target directory) as an
   * administrator would: the coordinator first, so that the agent's postinst cannot lock it out of
   * /var/lib/smbgw. On any failure what was installed is purged again before this throws.
   *
   * @throws IllegalStateException when one of the packages is installed already
   */
  public static InstalledDebs install(CommandRunner runner, Path debs) throws Exception {
    String present = anyInstalled(runner);
    if (present != null) {
      throw new IllegalStateException(present + " is installed on this machine already: not touching a real installation");
    }
    List<String> before = new ArrayList<>();
    for (String a : ACCOUNTS) {
      String[] db = a.split(":");
      if (runner.runAllowingFailure(Command.of("getent", db[0], db[1])).succeeded()) {
        before.add(a);
      }
    }
    InstalledDebs installed = new InstalledDebs(runner, List.copyOf(before));
    try {
      dpkg(runner, "-i", debs.resolve("smbgw-coordinator_all.deb").toString());
      dpkg(runner, "-i", debs.resolve("smbgw-agent_all.deb").toString(), debs.resolve("smbgw_all.deb").toString());
    } catch (Exception e) {
      installed.close();
      throw e;
    }
    return installed;
  }

  private static void dpkg(CommandRunner runner, String... args) throws Exception {
    List<String> argv = new ArrayList<>(List.of("dpkg"));
    argv.addAll(List.of(args));
    CommandResult r = waitingForLock(runner, argv);
    if (!r.succeeded()) {
      throw new CommandFailedException(Command.of(argv), r.exitCode(), r.stderr(), "exited with " + r.exitCode());
    }
  }

  /**
   * Runs dpkg, and again while another dpkg (an administrator's apt, another test) holds its lock,
   * for up to ten minutes.
   */
  private static CommandResult waitingForLock(CommandRunner runner, List<String> argv) throws Exception {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    CommandResult r = runner.runAllowingFailure(Command.of(argv));
    while (!r.succeeded() && r.stderr().contains("lock") && System.nanoTime() < deadline) {
      Thread.sleep(2000);
      r = runner.runAllowingFailure(Command.of(argv));
    }
    return r;
  }

  /** Purges the packages and removes the accounts they made; failures are left for the next run to see. */
  @Override
  public void close() throws Exception {
    List<String> argv = new ArrayList<>(List.of("dpkg", "--purge"));
    argv.addAll(PACKAGES);
    waitingForLock(runner, argv);
    if (!accountsBefore.contains("passwd:smbgw-coordinator")) {
      runner.runAllowingFailure(Command.of("userdel", "smbgw-coordinator"));
    }
    for (String group : List.of("smbgw-coordinator", "smbgw")) {
      if (!accountsBefore.contains("group:" + group)) {
        runner.runAllowingFailure(Command.of("groupdel", group));
      }
    }
  }
}
