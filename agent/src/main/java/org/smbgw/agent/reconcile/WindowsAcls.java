package org.smbgw.agent.reconcile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.smbgw.agent.acl.RootAcl;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.PublishedShare;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.common.ClusterSid;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * Decides Windows ACLs for one pass. Pure.
 *
 * <p>A Windows ACL names users by SID, so first the node's Samba must name them as every other
 * node does: in a cluster the machine's SID is the cluster's and each account's is that and the
 * user's RID (a node alone keeps its own SIDs). smbgw changes the machine's SID only when every
 * Samba account on the node is its own: one it did not make would stop working.
 *
 * <p>Then, per share, {@link #root} decides: a root smbgw put an ACL on keeps it or is not served;
 * an empty root on storage with extended attributes gets one, served read-only until it has it;
 * any other root follows the lists, as before.
 *
 * @param machine the step that sets Samba's machine SID, if one is needed
 * @param accountSids the step that gives accounts their SIDs, if any differs
 * @param nodeNote why this node keeps no Windows ACLs now, or null
 * @param modes per observed root, how it is published (roots made this pass are decided when made)
 * @param seeds per share, the root whose entries must be set after the publish
 * @param passDowns per share whose entries change on a root that had some, passing them down to
 *     what is inside (after its seed, and after the shares waiting for theirs are published)
 * @param sids how users get their SIDs (what roots made this pass are seeded with)
 * @param notes per share, why it has no Windows ACLs (absent: it has them, or its storage is not known yet)
 * @param blocked per share subject, why it is not served
 * @param unixGroup the group every share root belongs to (made in the same pass, if need be)
 */
public record WindowsAcls(Optional<Step.SetMachineSid> machine, Optional<Step.SetAccountSids> accountSids, String nodeNote,
    Map<Path, PublishedShare.Acls> modes, List<Unit> seeds, List<Step.PassDownAcl> passDowns, SidSource sids, Map<String, String> notes,
    Map<String, String> blocked, String unixGroup) {

  static final String NO_XATTRS = "its storage keeps no extended attributes, so no Windows ACLs: access follows the "
      + "share's lists";
  static final String PENDING = "its root is getting smbgw's entries on its Windows ACL: served read-only until they "
      + "are set";
  static final String HELD_FILES = "its root held files before smbgw kept Windows ACLs on it: access follows the "
      + "share's lists, as before (its files carry no ACLs)";

  /**
   * @param paths where each publishable share's files are
   * @param imported accounts whose hashes are imported this pass (an import resets a SID)
   * @param unixGroup the group every share root belongs to
   */
  public static WindowsAcls decide(NodeDesiredState desired, Observed obs, Map<String, String> paths,
      Set<String> imported, Set<String> blockedUsers, String unixGroup) {
    SambaIds.Seen ids = obs.ids();
    SidSource sids = SidSource.of(desired);
    Machine m = machine(ids, sids.clusterSid(), obs.accounts());
    Map<String, String> wrong = new TreeMap<>();
    if (sids.clusterSid() != null && m.note() == null) {
      for (UserSpec u : desired.getUsersList()) {
        Optional<String> sid = sids.userSid(u.getName(), Map.of());
        if (sid.isPresent() && !blockedUsers.contains("user/" + u.getName())
            && (imported.contains(u.getName()) || !sid.get().equals(ids.accounts().get(u.getName())))) {
          wrong.put(u.getName(), sid.get());
        }
      }
    }
    Optional<Step.SetAccountSids> accountSids = wrong.isEmpty() ? Optional.empty()
        : Optional.of(new Step.SetAccountSids(wrong));
    String nodeNote = m.note();

    Integer gid = obs.groups().get(unixGroup);
    String why = nodeNote != null ? nodeNote : gid == null ? "group " + unixGroup + " does not exist yet" : null;
    Map<Path, PublishedShare.Acls> modes = new HashMap<>();
    List<Unit> seeds = new ArrayList<>();
    List<Step.PassDownAcl> passDowns = new ArrayList<>();
    Map<String, String> notes = new TreeMap<>();
    Map<String, String> blocked = new TreeMap<>();
    for (ShareSpec s : desired.getSharesList()) {
      String path = paths.get(s.getName());
      RootState root = path == null ? null : obs.roots().get(Path.of(path));
      if (root == null || !root.exists() || root.problem() != null) {
        continue; // made this pass (decided when made) or not served
      }
      Root r = root(root, why);
      if (r.block() != null) {
        blocked.put("share/" + s.getName(), r.block());
        continue;
      }
      if (r.note() != null) {
        notes.put(s.getName(), r.note());
      } else if (r.acls() == PublishedShare.Acls.PENDING) {
        notes.put(s.getName(), PENDING);
      }
      modes.put(Path.of(path), r.acls());
      if (r.acls() != PublishedShare.Acls.NONE
          && !sids.entries(s, ids.accounts(), obs.groups()).record().equals(root.aclRecord())) {
        // Entries recorded before: what is inside inherited them, and gets the new ones.
        boolean passDown = RootAcl.namesEntries(root.aclRecord());
        seeds.add(new Unit("share/" + s.getName(), List.of(new Step.SeedAcl(s, Path.of(path), sids, unixGroup,
            passDown))));
        if (passDown) {
          passDowns.add(new Step.PassDownAcl(s.getName(), Path.of(path)));
        }
      }
    }
    return new WindowsAcls(m.step(), accountSids, nodeNote, modes, seeds, passDowns, sids, notes, blocked, unixGroup);
  }

  /** The step that sets Samba's machine SID, if one is needed, or why the node keeps no ACLs. */
  private record Machine(Optional<Step.SetMachineSid> step, String note) {}

  /**
   * @param clusterSid the cluster's SID; null on a node alone, which keeps its own (and only
   *     stores it as the domain SID Samba's tools read)
   * @param accounts the node's Unix accounts: a Samba account whose is not smbgw's is foreign
   */
  private static Machine machine(SambaIds.Seen ids, String clusterSid, Map<String, UnixAccount> accounts) {
    if (ids.machine() == null) {
      return new Machine(Optional.empty(), "this node's Samba SIDs could not be read (" + ids.problem() + ")");
    }
    String local = ids.machine().local();
    String domain = ids.machine().domain();
    String target = clusterSid != null ? clusterSid : local;
    List<String> foreign = ids.accounts().keySet().stream().filter(n -> {
      UnixAccount a = accounts.get(n);
      return a == null || !a.managed();
    }).sorted().toList();
    if (!target.equals(local) && !foreign.isEmpty()) {
      return new Machine(Optional.empty(), "Samba accounts smbgw did not make (" + String.join(", ", foreign)
          + ") are named by this node's own SID " + local + "; smbgw does not change it under them, and without the "
          + "cluster's SID an ACL would name other users on other nodes");
    }
    if (domain != null && !domain.equals(local) && !domain.equals(target)) {
      return new Machine(Optional.empty(), "this node's Samba keeps the SID of another domain (" + domain + "): a "
          + "domain member is not smbgw's to change");
    }
    boolean restart = !target.equals(local) || ids.restartOwed();
    return new Machine(restart || !target.equals(domain)
        ? Optional.of(new Step.SetMachineSid(target, ids.machine(), restart)) : Optional.empty(), null);
  }

  /**
   * What one root gets: its mode, why it has no Windows ACLs, or why it is not served.
   *
   * @param block non-null: the share is not published with other settings
   */
  public record Root(PublishedShare.Acls acls, String note, String block) {}

  /**
   * One root's Windows ACLs. A root smbgw put an ACL on keeps it, or is not served (serving it
   * without would drop every denial set inside); an empty root on storage with extended
   * attributes gets one, and is served read-only until it has it; any other root follows the lists.
   *
   * @param why why this node keeps no Windows ACLs now, or null
   */
  public static Root root(RootState root, String why) {
    if (root.aclRecord() != null) {
      if (why != null || !root.xattrs()) {
        return new Root(PublishedShare.Acls.NONE, null, "its files carry Windows ACLs, which this node cannot honour "
            + "now: " + (why != null ? why : "its storage shows no extended attributes") + "; it is never published "
            + "without them");
      }
      return root.aclRecord().startsWith(RootAcl.UNFINISHED) ? new Root(PublishedShare.Acls.PENDING, null, null)
          : new Root(PublishedShare.Acls.ON, null, null);
    }
    if (!root.xattrs()) {
      return new Root(PublishedShare.Acls.NONE, NO_XATTRS, null);
    }
    if (why != null) {
      return new Root(PublishedShare.Acls.NONE, why, null);
    }
    return root.empty() ? new Root(PublishedShare.Acls.PENDING, null, null)
        : new Root(PublishedShare.Acls.NONE, HELD_FILES, null);
  }

  /**
   * How users get their SIDs: in a cluster the cluster's SID and the user's RID, known before any
   * account exists; on a node alone, the SID its Samba gave the account (none before it exists).
   *
   * @param clusterSid the cluster's SID, null on a node alone
   * @param rids each user's RID (0: none given yet)
   */
  public record SidSource(String clusterSid, Map<String, Integer> rids) {
    public SidSource {
      rids = Map.copyOf(rids);
    }

    static SidSource of(NodeDesiredState desired) {
      Map<String, Integer> rids = new TreeMap<>();
      desired.getUsersList().forEach(u -> rids.put(u.getName(), u.getRid()));
      return new SidSource(desired.getCluster().isEmpty() ? null : ClusterSid.of(desired.getCluster()), rids);
    }

    /** Whether users' SIDs are those their accounts were given (a node alone): they must be looked up. */
    public boolean fromAccounts() {
      return clusterSid == null;
    }

    /**
     * A share's entries with the accounts and groups as they are.
     *
     * @param accountSids Samba's accounts' SIDs, by name (only read on a node alone)
     * @param groups Unix groups' gids, by name (a group's SID is Samba's Unix-group SID)
     */
    public RootAcl.Entries entries(ShareSpec s, Map<String, String> accountSids, Map<String, Integer> groups) {
      return RootAcl.entries(s, u -> userSid(u, accountSids),
          g -> Optional.ofNullable(groups.get(g)).map(RootAcl::unixGroup));
    }

    Optional<String> userSid(String user, Map<String, String> accountSids) {
      if (fromAccounts()) {
        return Optional.ofNullable(accountSids.get(user));
      }
      Integer rid = rids.get(user);
      return rid == null || rid == 0 ? Optional.empty() : Optional.of(ClusterSid.account(clusterSid, rid));
    }
  }
}
