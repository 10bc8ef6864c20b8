package org.smbgw.agent.samba;

import java.nio.file.Path;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;

/**
 * Windows ACLs of share roots, read and written through Samba's own VFS stack for the share
 * ({@code samba-tool ntacl --use-s3fs --service}), so they are stored exactly as smbd stores what
 * a Windows client sets (vfs_acl_xattr, with the share's options). samba-tool reads the domain
 * SID Samba keeps to read SDDL; {@link SambaIds#setMachine} sets it.
 */
public final class NtAcls {
  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path smbConf;

  public NtAcls(CommandRunner runner, SambaTools tools, Path smbConf) {
    this.runner = runner;
    this.tools = tools;
    this.smbConf = smbConf;
  }

  /** The ACL of {@code path} as share {@code share} serves it. */
  public Sddl get(Path path, String share) throws CommandFailedException {
    String out = runner.run(Command.of(tools.sambaTool(), "ntacl", "get", "--as-sddl", path.toString(), "--use-s3fs",
        "--service=" + share, "--configfile=" + smbConf)).stdout();
    return Sddl.parse(out.strip());
  }

  public void set(Path path, String share, Sddl acl) throws CommandFailedException {
    runner.run(Command.of(tools.sambaTool(), "ntacl", "set", acl.text(), path.toString(), "--use-s3fs",
        "--service=" + share, "--configfile=" + smbConf));
  }
}
