package org.smbgw.agent.reconcile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.proto.v1.NodeDesiredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out a {@link Plan}. Runs on the reconcile thread. A failing step undoes the steps its
 * unit already did, in reverse order; other units go on. Sections reach the include file only
 * after their storage is ready, so clients never see a half-configured share.
 */
public final class Executor {
  private static final Logger log = LoggerFactory.getLogger(Executor.class);

  private final Host host;
  private final AuditLog audit;
  private final AgentMetrics metrics;
  private final IncludeComposer composer;
  private final Runnable stepStarting;

  /** @param stepStarting told before each step (the watchdog counts it as progress) */
  public Executor(Host host, AuditLog audit, AgentMetrics metrics, IncludeComposer composer, Runnable stepStarting) {
    this.host = host;
    this.audit = audit;
    this.metrics = metrics;
    this.composer = composer;
    this.stepStarting = stepStarting;
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
        Map<String, String> ready = new java.util.TreeMap<>(((Step.SetAccountSids) step).sids());
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

    Map<String, Path> madeAclRoots = new java.util.TreeMap<>();
    if (plan.publish() && !publish(desired, observed, planned, probe, doneShares, sidsSet, madeAclRoots, outcome)) {
      // Retiring, destroying and deleting come after the publish that stops serving what they
      // touch: without it, the old include may still serve them.
      plan.afterPublish().forEach(u -> outcome.fail(u.subject(), "not done: the Samba configuration that stops "
          + "serving it was not applied"));
      return outcome;
    }
    if (sidsSet) {
      for (Unit u : plan.acls().seeds()) {
        runUnit(u, outcome);
      }
      for (org.smbgw.proto.v1.ShareSpec s : desired.getSharesList()) {
        Path root = madeAclRoots.get(s.getName());
        if (root != null && !outcome.failedShares().contains(s.getName())) {
          runUnit(new Unit("share/" + s.getName(), List.of(new Step.SeedAcl(s, root, plan.acls().sids(),
              plan.acls().groupSid()))), outcome);
        }
      }
    }
    for (Unit u : plan.afterPublish()) {
      runUnit(u, outcome);
    }
    return outcome;
  }


  /**
   * The paths whose storage keeps extended attributes: as observed, and for roots this pass made
   * (a new dataset or directory), looked at now, so a new share is published once, the way it
   * stays. A root that cannot be looked at is published with DOS attributes in mode bits, which
   * works on any storage; the next pass looks again.
   */
  private Set<Path> xattrPaths(Map<String, String> paths, Observed observed, Set<Path> made) {
    Set<Path> out = new HashSet<>(observed.xattrPaths());
    for (String path : paths.values()) {
      Path p = Path.of(path);
      RootState seen = observed.roots().get(p);
      if (seen == null || !seen.exists()) {
        try {
          if (host.roots().stat(p).xattrs()) {
            out.add(p);
            made.add(p);
          }
        } catch (IOException e) {
          log.warn("cannot look at {} for extended attributes; DOS attributes go to mode bits until the next pass: {}",
              p, e.getMessage());
        }
      }
    }
    return out;
  }

  /** @return whether the include now is what the desired state says (false: the old one stays) */
  private boolean publish(NodeDesiredState desired, Observed observed, Planner.Result planned,
      PathProbe probe, List<Unit> doneShares, boolean sidsSet, Map<String, Path> madeAclRoots, Outcome outcome) {
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
        return false;
      }
    }
    Set<Path> made = new HashSet<>();
    Set<Path> xattrPaths = xattrPaths(paths, observed, made);
    // A root made this pass is empty: on storage with extended attributes it has Windows ACLs from
    // the start, where the node can keep them.
    WindowsAcls acls = planned.plan().acls();
    Set<Path> aclPaths = new HashSet<>(acls.aclPaths());
    if (sidsSet && acls.nodeNote() == null && acls.groupSid() != null) {
      aclPaths.addAll(made);
      // Roots made this pass and published with Windows ACLs get smbgw's entries right after the
      // publish, not a pass later.
      paths.forEach((share, path) -> {
        if (made.contains(Path.of(path)) && !withheld.contains(share)) {
          madeAclRoots.put(share, Path.of(path));
        }
      });
    }
    IncludeComposer.Composition next = composer.compose(desired.getSharesList(), paths, xattrPaths, aclPaths, withheld,
        observed.include());
    if (next.content().equals(observed.include())) {
      return true;
    }
    Step publish = new Step.Publish(next.content(), next.sections(), observed.include());
    Exception failed = attempt("node", publish);
    if (failed instanceof org.smbgw.agent.samba.SambaConfig.SectionsMisread misread) {
      // testparm read some shares other than rendered and nothing else was wrong: those are
      // withheld (and fail), the rest is published without them.
      misread.byShare().forEach((share, why) -> outcome.fail("share/" + share, why));
      withheld.addAll(misread.byShare().keySet());
      next = composer.compose(desired.getSharesList(), paths, xattrPaths, aclPaths, withheld, observed.include());
      if (next.content().equals(observed.include())) {
        return true;
      }
      publish = new Step.Publish(next.content(), next.sections(), observed.include());
      failed = attempt("node", publish);
    }
    if (failed != null) {
      outcome.fail("node", publish.describe() + " failed: " + message(failed));
      undo("node", publish);
      rollBack(doneShares, outcome, "not published because the Samba configuration was not applied");
      return false;
    }
    outcome.applied();
    return true;
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
