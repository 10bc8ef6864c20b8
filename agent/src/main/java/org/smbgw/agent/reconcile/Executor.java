package org.smbgw.agent.reconcile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.TreeMap;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.samba.PublishedShare;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link Plan}. Runs on the reconcile thread. A failing step undoes the steps its
 * unit already did, in reverse order; other units go on. Sections reach the include file only
 * after their storage is ready, so clients never see a half-configured share. An include that
 * passed testparm stays installed when only smbd's reload fails (see {@link #owesReload}).
 */
public final class Executor {
  private static final Logger log = LoggerFactory.getLogger(Executor.class);

  private final Host host;
  private final AuditLog audit;
  private final AgentMetrics metrics;
  private final IncludeComposer composer;
  private final Runnable stepStarting;
  private final Consumer<Set<String>> published;
  /** An include was installed and smbd's reload failed; reconcile thread only. */
  private boolean reloadOwed;

  /**
   * @param stepStarting told before each step (the watchdog counts it as progress)
   * @param published told, on the reconcile thread, which shares an include just installed serves,
   *     before smbd is told to reload it: Samba's new connections read it by themselves, and a
   *     failed-over share's address need not wait for the reload
   */
  public Executor(Host host, AuditLog audit, AgentMetrics metrics, IncludeComposer composer, Runnable stepStarting,
      Consumer<Set<String>> published) {
    this.host = host;
    this.audit = audit;
    this.metrics = metrics;
    this.composer = composer;
    this.stepStarting = stepStarting;
    this.published = published;
  }

  /** Observes share paths again after storage steps ran (new datasets' mountpoints). */
  @FunctionalInterface
  public interface PathProbe {
    Map<String, String> paths() throws Exception;
  }

  public Outcome execute(NodeDesiredState desired, Observed observed, Planner.Result planned, PathProbe probe) {
    Plan plan = planned.plan();
    Outcome outcome = new Outcome();
    for (Step step : plan.prerequisites()) {
      if (!run("node", step, outcome)) {
        return outcome; // without the group or the include line nothing else can work
      }
    }
    plan.blocked().forEach(outcome::fail);

    List<Unit> createdUsers = new ArrayList<>();
    Set<String> failedUsers = new HashSet<>();
    for (Unit u : plan.userUnits()) {
      if (runUnit(u, outcome)) {
        createdUsers.add(u);
      } else {
        failedUsers.add(u.subject());
      }
    }
    plan.sambaAccounts().ifPresent(step -> {
      List<Step.SetSambaAccounts.Change> ready = step.changes().stream()
          .filter(c -> !failedUsers.contains("user/" + c.name())).toList();
      if (ready.isEmpty()) {
        return;
      }
      Step.SetSambaAccounts batch = new Step.SetSambaAccounts(ready);
      String subject = "users";
      if (!run(subject, batch, outcome)) {
        undo(subject, batch);
        for (int i = createdUsers.size() - 1; i >= 0; i--) {
          undoUnit(createdUsers.get(i), createdUsers.get(i).steps().size());
        }
        ready.forEach(c -> outcome.fail("user/" + c.name(), outcome.errors().get(subject)));
      }
    });

    // Samba's SIDs: the machine's, then the accounts' (an import above gave them their uid's).
    boolean sidsSet = plan.acls().machine().map(step -> run("node", step, outcome)).orElse(true);
    if (sidsSet) {
      plan.acls().accountSids().ifPresent(step -> {
        Map<String, String> ready = new TreeMap<>(step.sids());
        ready.keySet().removeIf(name -> failedUsers.contains("user/" + name) || outcome.errors().containsKey("user/" + name));
        if (!ready.isEmpty()) {
          Step sids = new Step.SetAccountSids(ready);
          if (!run("users", sids, outcome)) {
            ready.keySet().forEach(name -> outcome.fail("user/" + name, outcome.errors().get("users")));
          }
        }
      });
    }

    for (Unit u : plan.remounts()) {
      List<String> waiting = plan.waiting().getOrDefault(u.subject(), List.of());
      if (runUnit(u, outcome)) {
        waiting.forEach(share -> outcome.remounted(share, u.steps().get(0).describe()));
      } else {
        String why = outcome.errors().get(u.subject());
        waiting.forEach(share -> outcome.fail(share, why));
      }
    }

    List<Unit> doneShares = new ArrayList<>();
    for (Unit u : plan.shareUnits()) {
      if (runUnit(u, outcome)) {
        doneShares.add(u);
      }
    }

    Composed shown;
    if (plan.publish()) {
      shown = publish(desired, observed, planned, probe, doneShares, outcome);
      if (shown != null) {
        outcome.served(shown.content(), shown.paths());
      }
      if (shown == null) {
        // Retiring, destroying and deleting come after the publish that stops serving what they
        // touch: without it, the old include may still serve them.
        plan.afterPublish().forEach(u -> outcome.fail(u.subject(), "not done: the Samba configuration that stops "
            + "serving it was not applied"));
        return outcome;
      }
    } else {
      // The include is as planned: blocked shares (failed above, with the plan's reasons) kept theirs.
      shown = new Composed(planned.paths(), observed.xattrPaths(), plan.acls().modes(),
          new HashSet<>(outcome.failedShares()), observed.include());
    }
    if (sidsSet) {
      seedAcls(desired, observed, plan, shown, outcome);
    }
    for (Unit u : plan.afterPublish()) {
      runUnit(u, outcome);
    }
    if (reloadOwed) {
      tellSmbd(outcome); // a reload that failed before, and no publish of this pass told smbd since
    }
    return outcome;
  }

  /**
   * What the include file holds: how it was composed, and its content.
   *
   * @param withheld shares whose sections were kept as they were (or left out)
   */
  private record Composed(Map<String, String> paths, Set<Path> xattrPaths, Map<Path, PublishedShare.Acls> modes,
      Set<String> withheld, String content) {
    /** The shares served with vfs_acl_xattr now, and their roots, in the desired state's order. */
    Map<String, Path> aclRoots(NodeDesiredState desired, PublishedShare.Acls... in) {
      Map<String, Path> out = new java.util.LinkedHashMap<>();
      Set<PublishedShare.Acls> wanted = Set.of(in);
      for (ShareSpec s : desired.getSharesList()) {
        String path = paths.get(s.getName());
        if (path != null && !withheld.contains(s.getName())
            && wanted.contains(modes.getOrDefault(Path.of(path), PublishedShare.Acls.NONE))) {
          out.put(s.getName(), Path.of(path));
        }
      }
      return out;
    }
  }

  /**
   * smbgw's entries on the ACLs of the roots served with vfs_acl_xattr (Samba stores an ACL
   * through the share's section; through one without the module it would go to POSIX ACLs): those
   * the plan says, and roots first seen this pass. A share served read-only until its root had
   * them is then served as it should be, in the same pass; if that publish fails, it stays
   * read-only, never open.
   */
  private void seedAcls(NodeDesiredState desired, Observed observed, Plan plan, Composed shown, Outcome outcome) {
    Map<String, Path> served = shown.aclRoots(desired, PublishedShare.Acls.PENDING, PublishedShare.Acls.ON);
    Map<String, Path> pending = shown.aclRoots(desired, PublishedShare.Acls.PENDING);
    Map<String, Unit> planned = new HashMap<>();
    plan.acls().seeds().forEach(u -> planned.put(u.subject().substring("share/".length()), u));
    Map<String, Unit> toSeed = new LinkedHashMap<>();
    Map<String, Path> roots = new HashMap<>();
    for (ShareSpec s : desired.getSharesList()) {
      Path root = served.get(s.getName());
      if (root == null || outcome.failedShares().contains(s.getName())) {
        continue;
      }
      Unit seed = planned.get(s.getName());
      if (seed == null && (isNew(root, observed) || pending.containsKey(s.getName()))) {
        seed = new Unit("share/" + s.getName(), List.of(new Step.SeedAcl(s, root, plan.acls().sids(),
            plan.acls().unixGroup(), false)));
      }
      if (seed != null) {
        toSeed.put(s.getName(), seed);
        roots.put(s.getName(), root);
      }
    }
    Set<String> seeded = seed(toSeed, roots, outcome);
    Map<Path, PublishedShare.Acls> modes = new HashMap<>(shown.modes());
    pending.forEach((share, root) -> {
      if (seeded.contains(share)) {
        modes.put(root, PublishedShare.Acls.ON);
      }
    });
    if (!modes.equals(shown.modes())) {
      IncludeComposer.Composition next = composer.compose(desired.getSharesList(), shown.paths(),
          shown.xattrPaths(), modes, shown.withheld(), shown.content());
      Step.Publish open = new Step.Publish(next.content(), next.sections(), shown.content());
      Exception failed = installThenReload(open, outcome);
      if (failed != null) {
        undo("node", open);
        pending.keySet().stream().filter(seeded::contains).forEach(share -> outcome.fail("share/" + share,
            "its root's ACL is in place, but the configuration that lets its writers in was not applied ("
                + message(failed) + "); it stays read-only"));
      } else {
        outcome.applied();
      }
    }
    // Last, as they may take long: new shares are open by now.
    plan.acls().passDowns().stream().filter(p -> seeded.contains(p.share()))
        .forEach(p -> runUnit(new Unit("share/" + p.share(), List.of(p)), outcome));
  }

  /**
   * Runs the seed units with their roots' ACLs read in one run of Samba's bindings and set in
   * one more (one run per root took a quarter of a second each); which shares have their entries.
   *
   * @param roots each share's root, the one its unit seeds
   */
  private Set<String> seed(Map<String, Unit> units, Map<String, Path> roots, Outcome outcome) {
    Set<String> seeded = new HashSet<>();
    if (units.isEmpty()) {
      return seeded;
    }
    try (NtAcls.Batch batch = host.ntAcls().batch()) {
      try {
        batch.prefetch(units.keySet().stream().map(share -> new NtAcls.Root(roots.get(share), share)).toList());
      } catch (Exception e) {
        log.warn("reading share roots' ACLs together failed ({}); each is read alone", message(e));
      }
      List<String> staged = new ArrayList<>();
      units.forEach((share, unit) -> {
        if (runUnit(unit, outcome)) {
          staged.add(share);
        }
      });
      Map<Path, String> failed = batch.flush();
      for (String share : staged) {
        String why = failed.get(roots.get(share));
        if (why == null) {
          seeded.add(share);
        } else {
          outcome.fail("share/" + share, "setting smbgw's entries on the Windows ACL of " + roots.get(share)
              + " failed: " + why);
        }
      }
    }
    return seeded;
  }

  private static boolean isNew(Path root, Observed observed) {
    RootState seen = observed.roots().get(root);
    return seen == null || !seen.exists();
  }

  /**
   * Roots looked at again after this pass's storage steps, and those that could not be.
   *
   * @param states each root's state now
   * @param unreadable why a root could not be looked at
   */
  private record Looked(Map<Path, RootState> states, Map<Path, String> unreadable) {
    /** The roots whose storage keeps extended attributes: as observed, or as looked at now. */
    Set<Path> xattrPaths(Observed observed) {
      Set<Path> out = new HashSet<>(observed.xattrPaths());
      states.forEach((p, st) -> {
        if (st.xattrs()) {
          out.add(p);
        }
      });
      return out;
    }
  }

  /**
   * Looks again at the roots this pass made (a new dataset or directory), moved (a renamed
   * dataset), took up again (a retired one) or prepared, so that a new share is published once,
   * the way it stays.
   */
  private Looked lookAgain(Map<String, String> paths, Observed observed, List<Unit> doneShares) {
    Set<Path> prepared = new HashSet<>();
    doneShares.forEach(u -> u.steps().stream().filter(st -> st instanceof Step.PrepareRoot)
        .forEach(st -> prepared.add(((Step.PrepareRoot) st).path())));
    Map<Path, RootState> states = new HashMap<>();
    Map<Path, String> unreadable = new HashMap<>();
    for (String path : paths.values()) {
      Path p = Path.of(path);
      if (isNew(p, observed) || prepared.contains(p)) {
        try {
          states.put(p, host.roots().stat(p));
        } catch (IOException e) {
          unreadable.put(p, message(e));
        }
      }
    }
    return new Looked(states, unreadable);
  }

  /** @return what the include now holds, as the desired state says; null when the old one stays */
  private Composed publish(NodeDesiredState desired, Observed observed, Planner.Result planned,
      PathProbe probe, List<Unit> doneShares, Outcome outcome) {
    Set<String> withheld = new HashSet<>(outcome.failedShares());
    Map<String, String> paths = planned.paths();
    boolean datasetsMoved = doneShares.stream().flatMap(u -> u.steps().stream())
        .anyMatch(st -> st instanceof Step.CreateDataset || st instanceof Step.RenameDataset);
    if (datasetsMoved) { // only then can a mountpoint differ from what the plan saw
      try {
        // Only the shares whose datasets this pass made or moved take the new look; the rest stay
        // as planned (a share whose dead mount was remounted meanwhile keeps its published section).
        Map<String, String> now = probe.paths();
        paths = new java.util.TreeMap<>(planned.paths());
        for (Unit u : doneShares) {
          String share = u.subject().substring("share/".length());
          if (now.containsKey(share)) {
            paths.put(share, now.get(share));
          }
        }
      } catch (Exception e) {
        outcome.fail("node", "cannot observe datasets after creating them: " + e.getMessage());
        rollBack(doneShares, outcome, "publish skipped");
        return null;
      }
    }
    // Roots looked at again are judged as they are now, by the same rule as the others; one that
    // cannot be looked at is not published (it might carry ACLs).
    Looked looked = lookAgain(paths, observed, doneShares);
    Set<Path> xattrPaths = looked.xattrPaths(observed);
    WindowsAcls acls = planned.plan().acls();
    Map<Path, PublishedShare.Acls> modes = new HashMap<>(acls.modes());
    for (Map.Entry<String, String> e : paths.entrySet()) {
      String cannot = looked.unreadable().get(Path.of(e.getValue()));
      if (cannot != null && !withheld.contains(e.getKey())) {
        withheld.add(e.getKey());
        outcome.fail("share/" + e.getKey(), "its root could not be looked at after it was made ready: " + cannot);
        continue;
      }
      RootState now = looked.states().get(Path.of(e.getValue()));
      if (now == null || withheld.contains(e.getKey())) {
        continue;
      }
      // Only the node's lasting reason counts: SIDs not set this pass leave a new root read-only
      // (its entries follow once they are), never open to the lists.
      WindowsAcls.Root r = WindowsAcls.root(now, acls.nodeNote());
      if (r.block() != null) {
        withheld.add(e.getKey());
        outcome.fail("share/" + e.getKey(), r.block());
      } else {
        modes.put(Path.of(e.getValue()), r.acls());
      }
    }
    IncludeComposer.Composition next = composer.compose(desired.getSharesList(), paths, xattrPaths, modes, withheld,
        observed.include());
    if (next.content().equals(observed.include())) {
      return new Composed(paths, xattrPaths, modes, withheld, next.content());
    }
    Step.Publish publish = new Step.Publish(next.content(), next.sections(), observed.include());
    Exception failed = installThenReload(publish, outcome);
    if (failed instanceof org.smbgw.agent.samba.SambaConfig.SectionsMisread misread) {
      // testparm read some shares other than rendered and nothing else was wrong: those are
      // withheld (and fail), the rest is published without them.
      misread.byShare().forEach((share, why) -> outcome.fail("share/" + share, why));
      withheld.addAll(misread.byShare().keySet());
      next = composer.compose(desired.getSharesList(), paths, xattrPaths, modes, withheld, observed.include());
      if (next.content().equals(observed.include())) {
        return new Composed(paths, xattrPaths, modes, withheld, next.content());
      }
      publish = new Step.Publish(next.content(), next.sections(), observed.include());
      failed = installThenReload(publish, outcome);
    }
    if (failed != null) {
      outcome.fail("node", publish.describe() + " failed: " + message(failed));
      undo("node", publish);
      rollBack(doneShares, outcome, "not published because the Samba configuration was not applied");
      return null;
    }
    outcome.applied();
    return new Composed(paths, xattrPaths, modes, withheld, next.content());
  }

  /**
   * Installs an include, tells who waits for its shares, then has smbd reload it. Returns why the
   * install failed (the caller undoes {@code p}), or null. A failed reload keeps the include: it
   * passed testparm, and new connections read it already (and an address may be up for it); the
   * pass fails, and smbd is told again on the next one.
   */
  private Exception installThenReload(Step.Publish p, Outcome outcome) {
    Exception failed = attempt("node", p);
    if (failed != null) {
      return failed;
    }
    published.accept(p.sections());
    tellSmbd(outcome);
    return null;
  }

  /** Has smbd reload its configuration; on failure the pass fails and the next one tries again. */
  private void tellSmbd(Outcome outcome) {
    Exception failed = attempt("node", new Step.Reload());
    reloadOwed = failed != null;
    if (failed != null) {
      outcome.fail("node", "the Samba configuration is in place and new connections get it, but smbd's "
          + "running connections were not told (" + message(failed) + "); they are told on the next pass");
    }
  }

  /** Whether smbd has not been told of an include installed earlier: the next pass must run, plan or not. */
  public boolean owesReload() {
    return reloadOwed;
  }

  private void rollBack(List<Unit> units, Outcome outcome, String why) {
    for (int i = units.size() - 1; i >= 0; i--) {
      Unit u = units.get(i);
      undoUnit(u, u.steps().size());
      outcome.fail(u.subject(), why);
    }
  }

  /** Runs a unit; on failure undoes its completed steps. Returns whether every step succeeded. */
  private boolean runUnit(Unit unit, Outcome outcome) {
    for (int i = 0; i < unit.steps().size(); i++) {
      if (!run(unit.subject(), unit.steps().get(i), outcome)) {
        undoUnit(unit, i);
        return false;
      }
    }
    return true;
  }

  private void undoUnit(Unit unit, int done) {
    for (int j = done - 1; j >= 0; j--) {
      undo(unit.subject(), unit.steps().get(j));
    }
  }

  private boolean run(String subject, Step step, Outcome outcome) {
    Exception e = attempt(subject, step);
    if (e != null) {
      outcome.fail(subject, step.describe() + " failed: " + message(e));
      return false;
    }
    outcome.applied();
    return true;
  }

  /** Applies one step, audited and counted; returns why it failed, or null. */
  private Exception attempt(String subject, Step step) {
    stepStarting.run();
    try {
      step.apply(host);
      metrics.stepsApplied().inc();
      audit.record(subject, "apply", step, null, null);
      return null;
    } catch (Exception e) {
      metrics.stepsFailed().inc();
      log.warn("{}: {} failed: {}", subject, step.describe(), message(e));
      audit.record(subject, "failed", step, message(e), null);
      return e;
    }
  }

  private void undo(String subject, Step step) {
    try {
      step.undo(host);
      metrics.stepsUndone().inc();
      audit.record(subject, "undo", step, null, null);
    } catch (Exception e) {
      metrics.undoFailed().inc();
      log.error("{}: undo of '{}' failed: {}; finish it by hand: {}", subject, step.describe(),
          message(e), step.manualUndo());
      audit.record(subject, "undo-failed", step, message(e), step.manualUndo());
    }
  }

  private static String message(Exception e) {
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
