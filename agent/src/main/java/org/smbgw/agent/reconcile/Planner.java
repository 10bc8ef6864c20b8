package org.smbgw.agent.reconcile;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.users.UnixAccount;
import org.smbgw.agent.zfs.Dataset;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * Computes the steps that take the node from what was observed to what is desired. Pure: no I/O,
 * no clock; the same inputs give the same plan. The desired state has passed
 * {@link org.smbgw.common.DesiredStateValidator}.
 */
public final class Planner {
  private final String unixGroup;
  private final String includeLine;
  private final IncludeComposer composer;

  public Planner(String unixGroup, String includeLine, IncludeComposer composer) {
    this.unixGroup = unixGroup;
    this.includeLine = includeLine;
    this.composer = composer;
  }

  /** A plan plus where each publishable share's files are, as far as observation tells. */
  public record Result(Plan plan, Map<String, String> paths) {}

  public Result plan(NodeDesiredState desired, Observed obs) {
    Map<String, String> blocked = new TreeMap<>();
    List<Step> prerequisites = new ArrayList<>();
    if (!obs.groups().containsKey(unixGroup)) {
      prerequisites.add(new Step.CreateGroup(unixGroup));
    }
    if (!obs.smbConfIncludes()) {
      prerequisites.add(new Step.AddInclude(includeLine));
    }

    List<Unit> userUnits = new ArrayList<>();
    List<Step.SetSambaAccounts.Change> changes = new ArrayList<>();
    Set<String> desiredUsers = new HashSet<>();
    for (UserSpec u : sorted(desired.getUsersList(), UserSpec::getName)) {
      desiredUsers.add(u.getName());
      UnixAccount account = obs.accounts().get(u.getName());
      if (account != null && !account.managed()) {
        blocked.put("user/" + u.getName(), "a system account named " + u.getName()
            + " exists and was not created by smbgw; smbgw does not take over existing accounts");
        continue;
      }
      if (account == null) {
        userUnits.add(new Unit("user/" + u.getName(), List.of(new Step.CreateUnixUser(u.getName(), unixGroup))));
      }
      if (u.getNtHash().isEmpty()) {
        continue; // a state read back from the node's own file: passdb keeps what it has
      }
      String hash = NtHash.canonical(u.getNtHash());
      String previous = obs.sambaHashes().get(u.getName());
      if (!hash.equals(previous)) {
        changes.add(new Step.SetSambaAccounts.Change(u.getName(), hash, previous));
      }
    }

    Integer gid = obs.groups().get(unixGroup);
    DatasetIndex index = new DatasetIndex(obs.datasets());
    DeadMounts dead = DeadMounts.of(desired, obs);
    Set<String> chosen = new HashSet<>();
    Map<String, String> paths = new TreeMap<>();
    List<Unit> shareUnits = new ArrayList<>();
    for (ShareSpec share : sorted(desired.getSharesList(), ShareSpec::getName)) {
      String subject = "share/" + share.getName();
      List<Step> steps = new ArrayList<>();
      String path;
      if (share.getStorage().hasZfs() && obs.zfsProblem() != null) {
        blocked.put(subject, "ZFS could not be observed (" + obs.zfsProblem() + "); served as before until it answers");
        continue;
      }
      if (share.getStorage().hasZfs()) {
        String parentName = share.getStorage().getZfs().getParent();
        Dataset parent = obs.datasets().get(parentName);
        if (parent == null) {
          blocked.put(subject, "parent dataset " + parentName + " does not exist on this node");
          continue;
        }
        Optional<Dataset> owner = sharesDatasetAtOrAbove(obs, parentName, share.getName());
        if (owner.isPresent()) {
          blocked.put(subject, "parent dataset " + parentName + " lies inside dataset " + owner.get().name()
              + " of share '" + owner.get().share() + "'; a share's storage is never inside another share's");
          continue;
        }
        Optional<Dataset> existing = index.find(parentName, share.getName());
        Optional<Dataset> elsewhere = index.activeElsewhere(parentName, share.getName());
        if (existing.isPresent() && existing.get().retired() && elsewhere.isPresent()) {
          blocked.put(subject, "two datasets hold its data: " + elsewhere.get().name() + " (served until now) and "
              + existing.get().name() + " (retired, under the new parent); smbgw serves neither instead of the other: "
              + "purge or rename one by hand");
          continue;
        }
        if (existing.isPresent()) {
          elsewhere = Optional.empty();
        }
        if (elsewhere.isPresent()) {
          Dataset d = elsewhere.get();
          String name = parentName + "/" + DatasetNames.component(share.getName());
          if (!pool(d.name()).equals(pool(parentName))) {
            blocked.put(subject, "its data is in dataset " + d.name() + " on pool " + pool(d.name())
                + "; moving a share to another pool (" + pool(parentName) + ") is not done by smbgw: copy it "
                + "(zfs send | zfs receive) and set org.smbgw:share on the copy, or keep the share's storage");
            continue;
          }
          if (obs.datasets().containsKey(name)) {
            blocked.put(subject, "cannot rename " + d.name() + " to " + name + ": " + name + " exists");
            continue;
          }
          chosen.add(d.name());
          steps.add(new Step.RenameDataset(d.name(), name));
          path = parent.mountpoint() + "/" + DatasetNames.component(share.getName());
          RootState root = obs.roots().getOrDefault(Path.of(d.mountpoint()), RootState.MISSING);
          if (gid == null || !root.ready(gid)) {
            steps.add(new Step.PrepareRoot(Path.of(path), unixGroup, root));
          }
        } else if (existing.isEmpty()) {
          String name = parentName + "/" + DatasetNames.component(share.getName());
          Dataset clash = obs.datasets().get(name);
          if (clash != null) {
            blocked.put(subject, "dataset " + name + (clash.managed()
                ? " belongs to share '" + clash.share() + "'"
                : " exists and is not marked " + Dataset.SHARE_PROPERTY + "; smbgw never touches unmarked datasets"));
            continue;
          }
          if (!parent.mountpoint().startsWith("/")) {
            blocked.put(subject, "parent dataset " + parentName + " has mountpoint '"
                + parent.mountpoint() + "'; give it a mountpoint");
            continue;
          }
          steps.add(new Step.CreateDataset(name, share.getName(), share.getQuotaBytes()));
          path = parent.mountpoint() + "/" + DatasetNames.component(share.getName());
          steps.add(new Step.PrepareRoot(Path.of(path), unixGroup, RootState.MISSING));
        } else {
          Dataset d = existing.get();
          chosen.add(d.name());
          Optional<String> deadTop = dead.topAbove(d.name());
          if (deadTop.isPresent()) {
            // Its files are there once the remount ran; the next pass, right after, looks at them.
            // Until then its section stays exactly as published (no path: the composer keeps it).
            dead.serves(deadTop.get(), subject);
            continue;
          }
          if (!d.mounted() || !d.mountpoint().startsWith("/")) {
            blocked.put(subject, "dataset " + d.name() + " is not mounted");
            continue;
          }
          if (!Dataset.ACTIVE.equals(d.state())) {
            steps.add(new Step.SetDatasetState(d.name(), d.state() == null ? "-" : d.state(), Dataset.ACTIVE));
          }
          if (d.quota() != share.getQuotaBytes()) {
            steps.add(new Step.SetQuota(d.name(), d.quota(), share.getQuotaBytes()));
          }
          path = d.mountpoint();
          prepareRoot(Path.of(path), obs, gid, steps);
        }
      } else {
        path = share.getStorage().getDirectory().getPath();
        RootState root = obs.roots().getOrDefault(Path.of(path), RootState.MISSING);
        if (!root.exists()) {
          steps.add(new Step.CreateDirectory(Path.of(path)));
        } else if (root.problem() == null && !root.empty() && !share.getAdopt() && (gid == null || !root.ready(gid))) {
          blocked.put(subject, String.format("directory %s exists, holds files and is not set up for smbgw (owner "
              + "%d:%d, mode %o); smbgw changes no owner or mode of it unless the share says adopt: true", path,
              root.uid(), root.gid(), root.mode() & 07777));
          continue;
        }
        prepareRoot(Path.of(path), obs, gid, steps);
      }
      RootState usable = obs.roots().get(Path.of(path));
      if (usable != null && usable.problem() != null) {
        blocked.put(subject, usable.problem());
        continue;
      }
      paths.put(share.getName(), path);
      if (!steps.isEmpty()) {
        shareUnits.add(new Unit(subject, steps));
      }
    }

    List<Unit> afterPublish = new ArrayList<>();
    Set<String> purge = new HashSet<>(desired.getPurgeSharesList());
    Set<String> published = publishedPaths(obs.include());
    for (Dataset d : sorted(obs.datasets().values(), Dataset::name)) {
      if (!d.managed() || chosen.contains(d.name())) {
        continue;
      }
      if (purge.contains(d.share()) && d.retired()) {
        List<String> nested = nestedBelow(obs, d);
        if (published.contains(d.mountpoint())) {
          blocked.put("share/" + d.share(), "not purged: " + d.mountpoint() + " is still published in the include");
        } else if (nested.isEmpty()) {
          afterPublish.add(new Unit("share/" + d.share(), List.of(new Step.DestroyDataset(d.name(), d.share()))));
        } else {
          blocked.put("share/" + d.share(), "not purged: " + String.join(", ", nested) + " lie inside its dataset "
              + d.name() + "; a purge never destroys another share's data (purge or move those first)");
        }
      } else if (!d.retired() && !blockedShareOwns(blocked, d)) {
        afterPublish.add(new Unit("share/" + d.share(), List.of(
            new Step.SetDatasetState(d.name(), d.state() == null ? "-" : d.state(), Dataset.RETIRED))));
      }
    }
    for (UnixAccount a : sorted(obs.accounts().values(), UnixAccount::name)) {
      // Only accounts this Samba knows: another smbgw agent on the same host may own the rest.
      if (a.managed() && !desiredUsers.contains(a.name()) && obs.sambaHashes().containsKey(a.name())) {
        afterPublish.add(new Unit("user/" + a.name(),
            List.of(new Step.DeleteSambaAccount(a.name()), new Step.DeleteUnixUser(a.name()))));
      }
    }

    Set<String> imported = new HashSet<>();
    changes.forEach(c -> imported.add(c.name()));
    WindowsAcls acls = WindowsAcls.decide(desired, obs, paths, imported, blocked.keySet(), unixGroup);
    blocked.putAll(acls.blocked());
    acls.blocked().keySet().forEach(k -> paths.remove(k.substring(6)));
    Set<String> withheld = new HashSet<>();
    blocked.keySet().stream().filter(k -> k.startsWith("share/")).forEach(k -> withheld.add(k.substring(6)));
    shareUnits.forEach(u -> withheld.add(u.subject().substring(6)));
    String expected = composer.compose(desired.getSharesList(), paths, obs.xattrPaths(), acls.modes(), withheld,
        obs.include()).content();
    boolean publish = !shareUnits.isEmpty() || !expected.equals(obs.include());

    Plan plan = new Plan(prerequisites, userUnits,
        changes.isEmpty() ? Optional.empty() : Optional.of(new Step.SetSambaAccounts(changes)),
        dead.units(), dead.waiting(), shareUnits, publish, afterPublish, blocked, acls);
    return new Result(plan, paths);
  }

  /** A desired share that is blocked keeps its datasets: retiring them would hide data in use. */
  private static boolean blockedShareOwns(Map<String, String> blocked, Dataset d) {
    return blocked.containsKey("share/" + d.share());
  }

  private void prepareRoot(Path path, Observed obs, Integer gid, List<Step> steps) {
    RootState root = obs.roots().getOrDefault(path, RootState.MISSING);
    if (gid == null || !root.ready(gid)) {
      steps.add(new Step.PrepareRoot(path, unixGroup, root));
    }
  }

  private static <T> List<T> sorted(java.util.Collection<T> items, java.util.function.Function<T, String> key) {
    List<T> out = new ArrayList<>(items);
    out.sort(Comparator.comparing(key));
    return out;
  }

  /** A managed dataset of another share at {@code dataset} or above it. */
  private static Optional<Dataset> sharesDatasetAtOrAbove(Observed obs, String dataset, String share) {
    for (String d = dataset; ; d = d.substring(0, d.lastIndexOf('/'))) {
      Dataset at = obs.datasets().get(d);
      if (at != null && at.managed() && !at.share().equals(share)) {
        return Optional.of(at);
      }
      if (d.indexOf('/') < 0) {
        return Optional.empty();
      }
    }
  }

  private static String pool(String dataset) {
    int slash = dataset.indexOf('/');
    return slash < 0 ? dataset : dataset.substring(0, slash);
  }

  /** The paths the include file serves. */
  private static Set<String> publishedPaths(String include) {
    Set<String> out = new HashSet<>();
    org.smbgw.agent.samba.IncludeRenderer.sections(include).values().forEach(text -> text.lines().map(String::strip)
        .filter(l -> l.startsWith("path = ")).forEach(l -> out.add(l.substring(7).strip())));
    return out;
  }

  /** Datasets below {@code d}, named with their share when they have one. */
  private static List<String> nestedBelow(Observed obs, Dataset d) {
    return obs.datasets().values().stream().filter(e -> e.name().startsWith(d.name() + "/"))
        .sorted(Comparator.comparing(Dataset::name))
        .map(e -> e.name() + (e.managed() ? " (share '" + e.share() + "')" : " (not smbgw's)")).toList();
  }
}
