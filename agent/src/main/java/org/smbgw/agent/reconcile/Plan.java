package org.smbgw.agent.reconcile;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one reconcile must do, in order: prerequisites; users (accounts, then one batched import
 * of Samba hashes, then Samba's machine SID and the accounts' SIDs); remounting dead mounts; share
 * storage; publishing the include file; smbgw's entries on share roots' Windows ACLs; then what
 * follows unpublishing (retiring and purging datasets, removing users).
 *
 * @param remounts one unit per dead mount tree ({@code mount/DATASET}); each lists the shares
 *     whose files are under it in {@code waiting}
 * @param waiting per remount unit's subject, the shares ({@code share/NAME}) that fail with it
 * @param publish whether the include file must be rewritten even if no share unit runs
 * @param blocked shares and users that cannot be served now, with the reason, keyed by subject
 * @param acls Samba's SIDs and Windows ACLs (see {@link WindowsAcls})
 */
public record Plan(
    List<Step> prerequisites,
    List<Unit> userUnits,
    Optional<Step.SetSambaAccounts> sambaAccounts,
    List<Unit> remounts,
    Map<String, List<String>> waiting,
    List<Unit> shareUnits,
    boolean publish,
    List<Unit> afterPublish,
    Map<String, String> blocked,
    WindowsAcls acls) {

  /** This plan without what follows unpublishing (retiring, purging, deleting accounts): see {@link QuickLook}. */
  public Plan withoutRemovals() {
    return new Plan(prerequisites, userUnits, sambaAccounts, remounts, waiting, shareUnits, publish, List.of(), blocked,
        acls);
  }

  /** Number of steps, counting the publish (installing the include, then smbd's reload) as one. */
  public int size() {
    return prerequisites.size() + count(userUnits) + (sambaAccounts.isPresent() ? 1 : 0)
        + (acls.machine().isPresent() ? 1 : 0) + (acls.accountSids().isPresent() ? 1 : 0)
        + count(remounts) + count(shareUnits) + (publish ? 1 : 0) + count(acls.seeds()) + acls.passDowns().size()
        + count(afterPublish);
  }

  public boolean isEmpty() {
    return size() == 0;
  }

  private static int count(List<Unit> units) {
    return units.stream().mapToInt(u -> u.steps().size()).sum();
  }
}
