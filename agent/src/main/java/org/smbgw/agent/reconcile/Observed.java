package org.smbgw.agent.reconcile;

import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.agent.zfs.Dataset;

/**
 * The node as one observation saw it.
 *
 * @param include the include file's content, null when it does not exist
 * @param roots state of the share roots whose paths were known when observing
 */
public record Observed(
    Map<String, Dataset> datasets,
    Set<String> missingParents,
    String include,
    boolean smbConfIncludes,
    Map<String, String> sambaHashes,
    Map<String, UnixAccount> accounts,
    Map<String, Integer> groups,
    Map<Path, RootState> roots) {}
