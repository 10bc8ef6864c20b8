package org.smbgw.coordinator;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.coordinator.zk.ZooKeeperAccess;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code smbgw-coordinator cluster-key init} and {@code zookeeper-credential}: the coordinators'
 * shared secret, and the credential another ZooKeeper client (CTDB's lock helper) gets for its own
 * subtree. Both need root and never write over an existing file.
 */
final class KeyCommands {
  private KeyCommands() {}

  @Command(name = "cluster-key", description = "The coordinators' shared secret: it opens ZooKeeper (whose smbgw "
      + "tree only coordinators may read) and seals users' NT hashes there.", subcommands = Init.class)
  static final class ClusterKeys implements Runnable {
    @Override
    public void run() {
      throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this), "a command is required: init");
    }
  }

  @Command(name = "init", description = "Make the cluster key (32 random bytes, mode 0600) on the first coordinator. "
      + "Every other coordinator needs the same file: on Proxmox VE it is made in /etc/pve/priv/smbgw, which every "
      + "node has; elsewhere copy it as you would a private key. A cluster of one (singleNode) makes its own at "
      + "start. Exit 4 when the file exists (a second key would lock the first one's coordinators out), 5 when not root.")
  static final class Init extends AsRoot {
    @Option(names = "--out", description = "Write it here instead of the configuration's clusterKey.")
    Path out;

    @Override
    String needsRoot() {
      return "cluster-key init needs root (it handles the coordinators' secret)";
    }

    @Override
    int run(CoordinatorConfig c) throws Exception {
      Path file = out != null ? out : c.clusterKey();
      try {
        ClusterKey.create(file);
      } catch (FileAlreadyExistsException e) {
        System.err.println("smbgw-coordinator: " + file + " exists: every coordinator must use that one key");
        return ExitCodes.INVALID;
      }
      System.err.println("smbgw-coordinator: cluster key written to " + file);
      return ExitCodes.OK;
    }
  }

  @Command(name = "zookeeper-credential", description = "Write the ZooKeeper credential (digest, user:password) of "
      + "a client that is not a coordinator. --for ctdb: CTDB's lock helper, which may read and write "
      + ZooKeeperAccess.CTDB_ROOT + " and nothing else. Derived from the cluster key, so every node gets the same. "
      + "Exit 4 when --out exists or the key is missing, 5 when not root.")
  static final class Credential extends AsRoot {
    @Option(names = "--for", required = true, description = "Whose credential: ctdb.")
    String client;

    @Option(names = "--out", required = true, description = "Where to write it, mode 0600; must not exist.")
    Path out;

    @Override
    String needsRoot() {
      return "zookeeper-credential needs root (it handles the coordinators' secret)";
    }

    @Override
    int run(CoordinatorConfig c) throws Exception {
      if (!client.equals("ctdb")) {
        throw new InvalidSpecException("--for", "the only client with a credential of its own is ctdb (got '" + client
            + "')");
      }
      if (Files.exists(out, LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidSpecException("--out", out + " exists: remove it, or write the credential elsewhere");
      }
      byte[] credential = ZooKeeperAccess.credential(ClusterKey.read("clusterKey", c.clusterKey()), ZooKeeperAccess.CTDB);
      Path file = Files.createFile(out, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      Files.write(file, credential);
      Files.write(file, new byte[] {'\n'}, java.nio.file.StandardOpenOption.APPEND);
      System.err.println("smbgw-coordinator: ZooKeeper credential for " + ZooKeeperAccess.CTDB_ROOT + " written to " + out);
      return ExitCodes.OK;
    }
  }
}
