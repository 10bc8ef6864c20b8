package org.smbgw.agent.reconcile;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.agent.zfs.Dataset;

/**
 * The node as one observation saw it.
 *
 * @param include the include file's content, null when it does not exist
 * @param roots state of the share roots whose paths were known when observing
 * @param connections who is connected, per share; {@link SmbStatus.Connections#UNKNOWN} when
 *     smbstatus failed (its failure never fails a pass); a quick pass keeps the last look's
 * @param deadMounts datasets whose kernel mount no longer answers (their FUSE daemon went away)
 * @param zfsProblem why ZFS could not be observed, or null; then {@code datasets} is empty and
 *     says nothing about what exists
 * @param ids Samba's machine SIDs and its accounts' SIDs
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
    SambaIds.Seen ids) {

  /** The roots whose storage keeps extended attributes. */
  public Set<Path> xattrPaths() {
    Set<Path> out = new HashSet<>();
    roots.forEach((path, root) -> {
      if (root.exists() && root.xattrs()) {
        out.add(path);
      }
    });
    return out;
  }

  /** For tests and callers that do not look at connections. */
  public Observed(Map<String, Dataset> datasets, Set<String> missingParents, String include, boolean smbConfIncludes,
      Map<String, String> sambaHashes, Map<String, UnixAccount> accounts, Map<String, Integer> groups,
      Map<Path, RootState> roots) {
    this(datasets, missingParents, include, smbConfIncludes, sambaHashes, accounts, groups, roots,
        SmbStatus.Connections.UNKNOWN, Set.of(), null, SambaIds.Seen.UNKNOWN);
  }

  /** For tests that do not look at Samba's SIDs. */
  public Observed(Map<String, Dataset> datasets, Set<String> missingParents, String include, boolean smbConfIncludes,
      Map<String, String> sambaHashes, Map<String, UnixAccount> accounts, Map<String, Integer> groups,
      Map<Path, RootState> roots, SmbStatus.Connections connections, Set<String> deadMounts, String zfsProblem) {
    this(datasets, missingParents, include, smbConfIncludes, sambaHashes, accounts, groups, roots, connections,
        deadMounts, zfsProblem, SambaIds.Seen.UNKNOWN);
  }
}
