package org.smbgw.agent.reconcile;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.agent.acl.Inheritance;
import org.smbgw.agent.acl.RootAcl;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.samba.Pdbedit;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.common.Sizes;
import org.smbgw.proto.v1.ShareSpec;

/**
 * One change to the node, decided by the {@link Planner} and carried out by the {@link Executor}.
 * Each step knows how to undo itself, and what a person runs when that undo fails.
 */
public sealed interface Step {
  /** What the step does, for the audit trail and logs. Never contains a secret. */
  String describe();

  void apply(Host host) throws Exception;

  /** Reverses {@link #apply}; steps that cannot be reversed say so in {@link #manualUndo()}. */
  void undo(Host host) throws Exception;

  /** The command a person runs to finish an undo that failed. */
  String manualUndo();

  record CreateGroup(String group) implements Step {
    public String describe() {
      return "create group " + group;
    }

    public void apply(Host h) throws Exception {
      h.accounts().createGroup(group);
    }

    public void undo(Host h) {
      // An empty group harms nothing and later passes need it again.
    }

    public String manualUndo() {
      return "groupdel " + group;
    }
  }

  record AddInclude(String line) implements Step {
    public String describe() {
      return "hook into smb.conf: '" + line + "' at its end, smbgw's globals first in [global]";
    }

    public void apply(Host h) throws Exception {
      h.samba().addIncludeToSmbConf();
    }

    public void undo(Host h) {
      // Including an empty or share-less file is harmless.
    }

    public String manualUndo() {
      return "smbgw-agent unhook-samba (takes smbgw's lines out of smb.conf)";
    }
  }

  record CreateUnixUser(String name, String group) implements Step {
    public String describe() {
      return "create system account " + name;
    }

    public void apply(Host h) throws Exception {
      h.accounts().createUser(name, group);
    }

    public void undo(Host h) throws Exception {
      h.accounts().deleteUser(name);
    }

    public String manualUndo() {
      return "userdel " + name;
    }
  }

  /** Creates or updates Samba accounts in one import; {@code previousHash} null for new ones. */
  record SetSambaAccounts(List<Change> changes) implements Step {
    public record Change(String name, String hash, String previousHash) {}

    public String describe() {
      return "set Samba password hashes of " + changes.stream().map(Change::name).collect(Collectors.joining(", "));
    }

    public void apply(Host h) throws Exception {
      importAll(h, changes.stream().map(c -> Map.entry(c.name(), c.hash())).toList());
    }

    /** Accounts are created in the same pass, so uids are looked up when the import runs. */
    private static void importAll(Host h, List<Map.Entry<String, String>> hashes) throws Exception {
      Map<String, UnixAccount> accounts = h.accounts().accounts();
      List<Pdbedit.Account> batch = new java.util.ArrayList<>();
      for (Map.Entry<String, String> e : hashes) {
        UnixAccount a = accounts.get(e.getKey());
        if (a == null) {
          throw new IllegalStateException("system account " + e.getKey() + " does not exist");
        }
        batch.add(new Pdbedit.Account(e.getKey(), a.uid(), e.getValue()));
      }
      h.pdbedit().importHashes(batch);
    }

    public void undo(Host h) throws Exception {
      for (Change c : changes) {
        if (c.previousHash() == null) {
          if (h.pdbedit().hashes().containsKey(c.name())) {
            h.pdbedit().delete(c.name());
          }
        }
      }
      importAll(h, changes.stream().filter(c -> c.previousHash() != null)
          .map(c -> Map.entry(c.name(), c.previousHash())).toList());
    }

    public String manualUndo() {
      return changes.stream().map(c -> c.previousHash() == null ? "pdbedit -x -u " + c.name()
          : "smbpasswd " + c.name() + " (set the previous password)").collect(Collectors.joining("; "));
    }
  }

  /**
   * Makes {@code sid} this node's Samba machine SID (which names its accounts) and the domain SID
   * Samba keeps (its tools read SDDL with it).
   */
  record SetMachineSid(String sid, SambaIds.Machine previous, boolean restart) implements Step {
    public String describe() {
      return (sid.equals(previous.local())
          ? "keep Samba's machine SID " + sid + " as its domain SID too (Samba's tools read ACLs with it)"
          : "set Samba's machine and domain SID to " + sid + " (was " + previous.local() + ")")
          + (restart ? ", and restart smbd to read it" : "");
    }

    public void apply(Host h) throws Exception {
      h.ids().setMachine(sid, sid, restart);
    }

    public void undo(Host h) throws Exception {
      h.ids().setMachine(previous.local(), previous.domain() == null ? previous.local() : previous.domain(),
          !sid.equals(previous.local()));
    }

    public String manualUndo() {
      return "net setlocalsid " + previous.local() + "; net setdomainsid "
          + (previous.domain() == null ? previous.local() : previous.domain()) + "; systemctl restart smbd";
    }
  }

  /**
   * Gives accounts their SIDs (name to SID): the cluster's SID and the user's RID. An import of
   * hashes gives an account a SID made from its uid, so this runs after every import.
   */
  record SetAccountSids(Map<String, String> sids) implements Step {
    public SetAccountSids {
      sids = Map.copyOf(new java.util.TreeMap<>(sids));
    }

    public String describe() {
      return "set the SIDs of Samba accounts " + String.join(", ", new java.util.TreeSet<>(sids.keySet()));
    }

    public void apply(Host h) throws Exception {
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(sids).entrySet()) {
        h.ids().setAccount(e.getKey(), e.getValue());
      }
    }

    public void undo(Host h) {
      // The SIDs they had named nobody on the other nodes: there is nothing to go back to.
    }

    public String manualUndo() {
      return "nothing: the accounts' earlier SIDs were their uid's";
    }
  }

  /**
   * Puts smbgw's entries on a share root's Windows ACL through Samba (the share must be
   * published), keeping every entry an administrator set, and records which entries are smbgw's.
   * Whether the root has an ACL and what smbgw recorded are read when it runs.
   *
   * @param passDown whether what is inside already inherited earlier entries, which {@link
   *     PassDownAcl} then replaces (the record says so until it has)
   */
  record SeedAcl(ShareSpec spec, Path root, WindowsAcls.SidSource sids, String unixGroup, boolean passDown)
      implements Step {
    public String describe() {
      return "set smbgw's entries on the Windows ACL of " + root + " (share " + spec.getName() + ")";
    }

    /**
     * Accounts and the group made earlier in the same pass exist by now: they are looked up here.
     * What smbgw is about to put there is recorded first (with what it recorded before, marked
     * unfinished), so an entry it set is known as its own even if the final record cannot be
     * written, and a root whose ACL was not set is never taken for one that was. Inside a batch
     * ({@link NtAcls#batch}) the ACL is only staged, and the final record follows its setting.
     */
    public void apply(Host h) throws Exception {
      Map<String, Integer> groups = h.accounts().groups();
      Integer gid = groups.get(unixGroup);
      if (gid == null) {
        throw new IllegalStateException("group " + unixGroup + " does not exist");
      }
      RootAcl.Entries entries = sids.entries(spec, sids.fromAccounts() ? h.ids().accounts() : Map.of(), groups);
      String recorded = h.roots().aclRecord(root);
      String before = recorded == null ? "" : recorded;
      NtAcls.Root r = new NtAcls.Root(root, spec.getName());
      Sddl next = RootAcl.merge(h.ntAcls().current(r).orElse(null), before, entries, RootAcl.unixGroup(gid));
      h.roots().recordAcl(root, RootAcl.unfinished(before, entries));
      h.ntAcls().set(r, next, () -> h.roots().recordAcl(root, passDown ? RootAcl.passingDown(entries)
          : entries.record()));
    }

    public void undo(Host h) {
      // Alone in its unit, after the publish: nothing runs after it that could fail.
    }

    public String manualUndo() {
      return "set the ACL of the share's root from Windows (Properties, Security) or with smbcacls";
    }
  }

  /**
   * Passes a share root's ACL down to what is inside, as Windows does when a folder's permissions
   * change: each file and folder gets the entries its folder passes on, computed again, and keeps
   * its own ({@link Inheritance.Walk}). Until a pass finds nothing left to change, the root's
   * record says the pass-down is owed, and the next pass does it again.
   */
  record PassDownAcl(String share, Path root) implements Step {
    private static final Logger LOG = LoggerFactory.getLogger(PassDownAcl.class);

    public String describe() {
      return "pass the Windows ACL of " + root + " down to what is inside (share " + share + ")";
    }

    public void apply(Host h) throws Exception {
      NtAcls.PassedDown done = h.ntAcls().passDown(root, share, new Inheritance.Walk());
      Inheritance.Summary s = done.summary();
      boolean settled = s.changed() == 0 && done.missed() == 0 && done.failed() == 0;
      LOG.info("share {}: the root's ACL passed down: {} files and folders computed anew, {} had it already, {} "
          + "missed (gone, moved or changed meanwhile), {} failed{}{}", share, s.changed(), s.unchanged(),
          done.missed(), done.failed(), s.leftCount() == 0 ? "" : "; left as they are: " + s.left(),
          settled ? "; done" : "; looked at again next pass");
      if (done.failed() > 0) {
        throw new IllegalStateException(done.failed() + " ACLs could not be set, first "
            + (done.failures().isEmpty() ? "unknown" : done.failures().get(0)) + "; tried again next pass");
      }
      // Done only when a pass finds nothing to change and nothing missed: what was made or moved
      // while the change went down is then known to have it too.
      String recorded = h.roots().aclRecord(root);
      if (settled && recorded != null && recorded.startsWith(RootAcl.PASSING_DOWN)) {
        h.roots().recordAcl(root, RootAcl.union(recorded, ""));
      }
    }

    public void undo(Host h) {
      // What was set stays set: it is what the root's ACL says, and the next pass finishes it.
    }

    public String manualUndo() {
      return "set the ACLs inside the share from Windows (Properties, Security, Advanced, replace child permissions)";
    }
  }

  record DeleteSambaAccount(String name) implements Step {
    public String describe() {
      return "delete Samba account " + name;
    }

    public void apply(Host h) throws Exception {
      h.pdbedit().delete(name);
    }

    public void undo(Host h) {
      // The hash is gone with the account; the user must be declared again.
    }

    public String manualUndo() {
      return "declare User/" + name + " again";
    }
  }

  record DeleteUnixUser(String name) implements Step {
    public String describe() {
      return "delete system account " + name;
    }

    public void apply(Host h) throws Exception {
      h.accounts().deleteUser(name);
    }

    public void undo(Host h) {
      // Deletion runs last for a user; nothing after it can fail.
    }

    public String manualUndo() {
      return "declare User/" + name + " again";
    }
  }

  record CreateDataset(String dataset, String share, long quota) implements Step {
    public String describe() {
      return "create dataset " + dataset + (quota > 0 ? " with quota " + Sizes.format(quota) : "");
    }

    public void apply(Host h) throws Exception {
      h.zfs().create(dataset, share, quota);
    }

    public void undo(Host h) throws Exception {
      h.zfs().destroyNew(dataset);
    }

    public String manualUndo() {
      return "zfs destroy " + dataset;
    }
  }

  record SetQuota(String dataset, long previous, long quota) implements Step {
    public String describe() {
      return "set quota of " + dataset + " from " + (previous > 0 ? Sizes.format(previous) : "none")
          + " to " + (quota > 0 ? Sizes.format(quota) : "none");
    }

    public void apply(Host h) throws Exception {
      h.zfs().setQuota(dataset, quota);
    }

    public void undo(Host h) throws Exception {
      h.zfs().setQuota(dataset, previous);
    }

    public String manualUndo() {
      return "zfs set quota=" + (previous > 0 ? previous : "none") + " " + dataset;
    }
  }

  /** Marks a dataset active (serving) or retired (kept after its share was deleted). */
  record SetDatasetState(String dataset, String previous, String state) implements Step {
    public String describe() {
      return "mark dataset " + dataset + " " + state;
    }

    public void apply(Host h) throws Exception {
      h.zfs().set(dataset, org.smbgw.agent.zfs.Dataset.STATE_PROPERTY, state);
    }

    public void undo(Host h) throws Exception {
      h.zfs().set(dataset, org.smbgw.agent.zfs.Dataset.STATE_PROPERTY, previous);
    }

    public String manualUndo() {
      return "zfs set " + org.smbgw.agent.zfs.Dataset.STATE_PROPERTY + "=" + previous + " " + dataset;
    }
  }

  /** A share's storage moved within its pool: its dataset moves with its data. */
  record RenameDataset(String from, String to) implements Step {
    public String describe() {
      return "move dataset " + from + " to " + to + " (with its data)";
    }

    public void apply(Host h) throws Exception {
      h.zfs().rename(from, to);
    }

    public void undo(Host h) throws Exception {
      h.zfs().rename(to, from);
    }

    public String manualUndo() {
      return "zfs rename " + to + " " + from;
    }
  }

  /**
   * Mounts again datasets whose mounts are dead (their FUSE daemon went away and came back): the
   * dead tree is detached at its top ({@code umount -l}), then each dataset mounted, parents
   * first, each tried even when one before it failed; then the shares under them are closed in
   * smbd, whose children still sit on the detached dead mount, so that their clients reconnect to
   * the live one. No undo: a mount that answers again is what every share under it needs; the
   * step changes no data.
   *
   * @param mounts deepest first
   * @param shares the shares whose files are under them
   */
  record Remount(List<Mount> mounts, List<String> shares) implements Step {
    public record Mount(String dataset, String mountpoint) {}

    public Remount {
      mounts = List.copyOf(mounts);
      shares = List.copyOf(shares);
    }

    public String describe() {
      List<String> named = new java.util.ArrayList<>(mounts.stream().map(m -> m.dataset() + " at " + m.mountpoint())
          .toList());
      java.util.Collections.reverse(named); // parents first, as a person reads them
      return "remount " + String.join(", ", named) + ": the mount" + (mounts.size() > 1 ? "s" : "") + " did not answer (Transport endpoint is not "
          + "connected: the ZFS daemon went away)";
    }

    public void apply(Host h) throws Exception {
      h.zfs().detachDead(mounts.get(mounts.size() - 1).mountpoint()); // the top: the whole tree goes
      Exception failed = null;
      for (int i = mounts.size() - 1; i >= 0; i--) { // parents first; a child is worth mounting anyway
        try {
          h.zfs().mount(mounts.get(i).dataset());
        } catch (Exception e) {
          if (failed == null) {
            failed = e;
          } else {
            failed.addSuppressed(e);
          }
        }
      }
      if (failed != null) {
        throw failed;
      }
      for (String share : shares) {
        h.samba().closeShare(share); // a share smbd does not serve yet is no error: it exits 0
      }
    }

    public void undo(Host h) {
      // Unmounting again would take the files away from every share under them.
    }

    public String manualUndo() {
      return "nothing to undo; if a mount still does not answer: umount -l TOP_MOUNTPOINT; zfs mount DATASET, parents first";
    }
  }

  /** Explicit purge of a retired share: its data is gone for good. */
  record DestroyDataset(String dataset, String share) implements Step {
    public String describe() {
      return "purge share " + share + ": destroy dataset " + dataset + " and its snapshots";
    }

    public void apply(Host h) throws Exception {
      h.zfs().purge(dataset);
    }

    public void undo(Host h) {
      // Nothing can bring the data back; the audit trail records the purge.
    }

    public String manualUndo() {
      return "restore " + dataset + " from a backup or replica";
    }
  }

  record CreateDirectory(Path path) implements Step {
    public String describe() {
      return "create directory " + path;
    }

    public void apply(Host h) throws Exception {
      h.roots().createDirectories(path);
    }

    public void undo(Host h) throws Exception {
      Files.deleteIfExists(path); // only if still empty: never removes data
    }

    public String manualUndo() {
      return "rmdir " + path;
    }
  }

  /** Owner root, the share group, mode 2770 on the share root. */
  record PrepareRoot(Path path, String group, RootState previous) implements Step {
    public String describe() {
      return "set owner root:" + group + " and mode 2770 on " + path;
    }

    public void apply(Host h) throws Exception {
      Integer gid = h.accounts().groups().get(group);
      if (gid == null) {
        throw new IllegalStateException("group " + group + " does not exist");
      }
      h.roots().prepare(path, gid);
    }

    public void undo(Host h) throws Exception {
      if (previous.exists() && Files.exists(path)) {
        h.roots().set(path, previous);
      }
    }

    public String manualUndo() {
      return previous.exists() ? String.format("chown %d:%d %s && chmod %o %s", previous.uid(),
          previous.gid(), path, previous.mode() & 07777, path) : "nothing: the directory was new";
    }
  }

  /**
   * Installs the include: checked with testparm, then renamed into place. Samba's new connections
   * read it from then on; those it has are told by the {@link Reload} that follows. Undo puts the
   * previous content back and has smbd reload it.
   */
  record Publish(String content, Set<String> sections, String previous) implements Step {
    public String describe() {
      return "publish Samba configuration with " + sections.size() + " share(s)";
    }

    public void apply(Host h) throws Exception {
      h.samba().install(content, sections);
    }

    public void undo(Host h) throws Exception {
      h.samba().restore(previous);
      h.samba().reload();
    }

    public String manualUndo() {
      return "compare the include file with the audit trail, then: smbcontrol smbd reload-config";
    }
  }

  /** Has smbd's running processes read the include a {@link Publish} installed. */
  record Reload() implements Step {
    public String describe() {
      return "tell smbd to reload its configuration";
    }

    public void apply(Host h) throws Exception {
      h.samba().reload();
    }

    public void undo(Host h) {
      // Nothing to reverse: the Publish it follows is undone (and reloaded) by itself.
    }

    public String manualUndo() {
      return "nothing to undo";
    }
  }
}
