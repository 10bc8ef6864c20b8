package org.smbgw.cli;

import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.tls.PeerNames;
import org.smbgw.common.tls.Pki;
import org.smbgw.common.tls.TlsException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code smbgw certs}: smbgw's own cluster CA and node certificates, for clusters without
 * Proxmox's (a Proxmox node uses /etc/pve/pve-root-ca.pem and its pve-ssl.pem, and needs none of
 * this). Works on local files only; talks to no coordinator.
 */
@Command(name = "certs", description = "Make smbgw's cluster CA and node certificates (not needed on Proxmox VE nodes).",
    subcommands = {CertsCommands.Init.class, CertsCommands.Issue.class, CertsCommands.Renew.class})
final class CertsCommands {
  @ParentCommand
  Smbgw root;

  static String describe(X509Certificate c) {
    return PeerNames.of(c).names() + ", valid until " + c.getNotAfter().toInstant();
  }

  static final class Dir {
    @Option(names = "--dir", defaultValue = "/etc/smbgw/pki",
        description = "The PKI directory (default: ${DEFAULT-VALUE}).")
    Path dir;
  }

  @Command(name = "init", description = "Make the cluster CA in --dir (ca.pem, and ca.key readable by root only). Once per cluster.")
  static final class Init implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin
    Dir dir = new Dir();
    @Option(names = "--cluster", defaultValue = "smbgw", description = "A name for the CA's subject (default: ${DEFAULT-VALUE}).")
    String cluster;
    @Option(names = "--days", defaultValue = "3650", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      X509Certificate ca = run(() -> new Pki(dir.dir, Clock.systemUTC()).init(cluster, Duration.ofDays(positive(days))));
      spec.commandLine().getOut().println("made the cluster CA " + dir.dir.resolve(Pki.CA_CERT) + " (" + describe(ca)
          + "); its key " + dir.dir.resolve(Pki.CA_KEY) + " is for issuing node certificates only");
      return ExitCodes.OK;
    }
  }

  @Command(name = "issue", description = "Issue NODE's certificate, covering its name, each --address and loopback, "
      + "into --out (default: --dir, for this node): node.pem, node.key and ca.pem, to copy to NODE's "
      + "/etc/smbgw/pki.")
  static final class Issue implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin
    Dir dir = new Dir();
    @Parameters(index = "0", description = "The node's name, as Proxmox and smbgw-agent's node: setting name it.")
    String node;
    @Option(names = "--address", split = ",", description = "An address or DNS name the node is reached at "
        + "(its advertised coordinator address among them); repeatable.")
    List<String> addresses = List.of();
    @Option(names = "--out", description = "Where to write the node's files (default: --dir).")
    Path out;
    @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      Path to = out != null ? out : dir.dir;
      if (java.nio.file.Files.exists(to.resolve(Pki.NODE_CERT))) {
        // Issuing over another node's files would replace a running daemon's key with a stranger's.
        throw new Smbgw.UsageError(to.resolve(Pki.NODE_CERT) + " exists already (" + describe(
            org.smbgw.common.tls.Pem.certificates(to.resolve(Pki.NODE_CERT)).get(0)) + "): give another --out for "
            + node + ", or use smbgw certs renew for the same node");
      }
      X509Certificate c = run(() -> new Pki(dir.dir, Clock.systemUTC()).issue(node, addresses,
          Duration.ofDays(positive(days)), to));
      spec.commandLine().getOut().println("issued " + to.resolve(Pki.NODE_CERT) + " for " + describe(c));
      return ExitCodes.OK;
    }
  }

  @Command(name = "renew", description = "A new key and certificate with the same names for the node whose files "
      + "are in --out (default: --dir). Running daemons take it within 30 seconds, without a restart.")
  static final class Renew implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @picocli.CommandLine.Mixin
    Dir dir = new Dir();
    @Option(names = "--out", description = "The node's files (default: --dir).")
    Path out;
    @Option(names = "--days", defaultValue = "365", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Override
    public Integer call() throws Exception {
      Path to = out != null ? out : dir.dir;
      X509Certificate c = run(() -> new Pki(dir.dir, Clock.systemUTC()).renew(to, Duration.ofDays(positive(days))));
      spec.commandLine().getOut().println("renewed " + to.resolve(Pki.NODE_CERT) + ": " + describe(c));
      return ExitCodes.OK;
    }
  }

  private static int positive(int days) {
    if (days < 1) {
      throw new org.smbgw.common.InvalidSpecException(List.of(new org.smbgw.common.Violation("--days",
          "must be at least 1 (got " + days + ")")));
    }
    return days;
  }

  private interface Action {
    X509Certificate run() throws Exception;
  }

  /** A certificate problem is a usage error naming the file (exit 4 is for bad values, which name the field). */
  private static X509Certificate run(Action a) throws Exception {
    try {
      return a.run();
    } catch (TlsException e) {
      throw new Smbgw.UsageError(e.getMessage());
    }
  }
}
