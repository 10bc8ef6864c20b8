package org.smbgw.agent.reconcile;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smbgw.agent.fs.Capabilities;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.NtAcl;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.agent.zfs.Dataset;

/**
 * The node as one observation saw it.
 *
 * @param include the include file's content, null when it does not exist
 * @param roots state of the share roots whose paths were known when observing
 * @param connections who is connected, per share; {@link SmbStatus.Connections#UNKNOWN} when
 *     smbstatus failed (its failure never fails a pass)
 * @param deadMounts datasets whose kernel mount no longer answers (their FUSE daemon went away)
 * @param zfsProblem why ZFS could not be observed, or null; then {@code datasets} is empty and
 *     says nothing about what exists
 * @param capabilities what each existing root's storage can do (roots made later are missing)
 * @param acls the Windows ACL of each root whose storage keeps them; missing when it could not be
 *     read (then the share's access follows the lists)
 * @param seeds per share, the ACL entries smbgw put on its root earlier
 * @param aclProblem why ACLs could not be read this pass, or null
 */
public record Observed(
    Map<String, Dataset> datasets,
    Set<String> missingParents,
    String include,
    boolean smbConfIncludes,
    Map<String, String> sambaHashes,
    Map<String, UnixAccount> accounts,
    Map<String, Integer> groups,
    Map<Path, RootState> roots,
    SmbStatus.Connections connections,
    Set<String> deadMounts,
    String zfsProblem,
    Map<Path, Capabilities> capabilities,
    Map<Path, NtAcl> acls,
    Map<String, List<NtAcl.Ace>> seeds,
    String aclProblem) {

  /** For tests and callers that do not look at storage capabilities. */
  public Observed(Map<String, Dataset> datasets, Set<String> missingParents, String include, boolean smbConfIncludes,
      Map<String, String> sambaHashes, Map<String, UnixAccount> accounts, Map<String, Integer> groups,
      Map<Path, RootState> roots, SmbStatus.Connections connections) {
    this(datasets, missingParents, include, smbConfIncludes, sambaHashes, accounts, groups, roots, connections,
        Set.of(), null, Map.of(), Map.of(), Map.of(), null);
  }

  /** For tests and callers that do not look at connections. */
  public Observed(Map<String, Dataset> datasets, Set<String> missingParents, String include, boolean smbConfIncludes,
      Map<String, String> sambaHashes, Map<String, UnixAccount> accounts, Map<String, Integer> groups,
      Map<Path, RootState> roots) {
    this(datasets, missingParents, include, smbConfIncludes, sambaHashes, accounts, groups, roots,
        SmbStatus.Connections.UNKNOWN);
  }

  /** What the storage at {@code path} can do; for a root not made yet, what its nearest probed ancestor can. */
  public Capabilities capabilities(String path) {
    for (Path p = path == null ? null : Path.of(path); p != null; p = p.getParent()) {
      Capabilities c = capabilities.get(p);
      if (c != null) {
        return c;
      }
    }
    return Capabilities.UNKNOWN;
  }
}
