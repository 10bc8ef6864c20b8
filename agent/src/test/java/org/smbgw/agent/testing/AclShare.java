package org.smbgw.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.samba.SambaTools;

/**
 * A scratch share with Windows ACLs, as smbgw publishes them ({@code acl_xattr}, NT ACLs only,
 * client marks kept as sent), in a private smb.conf and private Samba state under a temporary
 * directory: enough for Samba's tools and Python bindings to read and set its ACLs. No smbd runs.
 */
public final class AclShare implements AutoCloseable {
  public static final String NAME = "scratch";
  private final Path dir;
  private final Path conf;
  private final CommandRunner runner;

  public AclShare(CommandRunner runner) throws Exception {
    this.runner = runner;
    dir = Files.createTempDirectory("smbgw-aclshare-");
    Path priv = dir.resolve("private");
    for (String d : new String[] {"lock", "state", "cache", "pid"}) {
      Files.createDirectories(priv.resolve(d));
    }
    Files.createDirectories(root());
    conf = dir.resolve("smb.conf");
    Files.writeString(conf, "[global]\n\tprivate dir = " + priv + "\n\tlock directory = " + priv.resolve("lock")
        + "\n\tstate directory = " + priv.resolve("state") + "\n\tcache directory = " + priv.resolve("cache")
        + "\n\tpid directory = " + priv.resolve("pid") + "\n\tpassdb backend = tdbsam:" + priv.resolve("passdb.tdb")
        + "\n[" + NAME + "]\n\tpath = " + root() + "\n\tvfs objects = acl_xattr\n"
        + "\tacl_xattr:ignore system acls = yes\n\tacl flag inherited canonicalization = no\n");
    // samba-tool reads SDDL against the domain SID Samba keeps.
    runner.run(Command.of("net", "-s", conf.toString(), "setdomainsid", "S-1-5-21-1-2-3"));
  }

  /** The share's root. */
  public Path root() {
    return dir.resolve("share");
  }

  /** A directory beside the share, outside it. */
  public Path outside() throws java.io.IOException {
    return Files.createDirectories(dir.resolve("outside"));
  }

  /** The agent's access to the share's ACLs, its helper kept under the scratch directory. */
  public NtAcls ntAcls(CommandRunner runner, Duration budget) {
    return new NtAcls(runner, SambaTools.defaults(), conf, dir.resolve("state"), budget);
  }

  /** Sets a file's ACL with samba-tool, as an administrator would: not the agent's code. */
  public void set(Path path, String sddl) throws Exception {
    runner.run(Command.of("samba-tool", "ntacl", "set", sddl, path.toString(), "--use-s3fs", "--service=" + NAME,
        "--configfile=" + conf));
  }

  /** A file's ACL as samba-tool reads it through smbd's VFS stack: not the agent's code. */
  public Sddl get(Path path) throws Exception {
    return Sddl.parse(runner.run(Command.of("samba-tool", "ntacl", "get", "--as-sddl", path.toString(), "--use-s3fs",
        "--service=" + NAME, "--configfile=" + conf)).stdout().strip());
  }

  @Override
  public void close() throws Exception {
    TestDirs.delete(dir);
  }
}
