package org.smbgw.agent.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;

/**
 * The agent's metrics. Names are dotted and stable; the Prometheus exposition maps them. Tools are
 * a small closed set (zfs, zpool, smbd, testparm, ...), so per-tool metrics stay bounded.
 */
public final class AgentMetrics {
  private final MetricRegistry registry;
  private final Counter commandsStarted;
  private final Counter smbdReloads;
  private final Timer reconcile;
  private final Timer observe;
  private final Timer apply;
  private final Counter reconcileOk;
  private final Counter reconcileFailed;
  private final Counter reconcileQuick;
  private final Counter stepsApplied;
  private final Counter stepsFailed;
  private final Counter stepsUndone;
  private final Counter undoFailed;

  public AgentMetrics(MetricRegistry registry) {
    this.registry = registry;
    this.commandsStarted = registry.counter("smbgw.agent.exec.started");
    this.smbdReloads = registry.counter("smbgw.agent.samba.reloads");
    this.reconcile = registry.timer("smbgw.agent.reconcile.duration");
    this.observe = registry.timer("smbgw.agent.reconcile.observe");
    this.apply = registry.timer("smbgw.agent.reconcile.apply");
    this.reconcileOk = registry.counter("smbgw.agent.reconcile.ok");
    this.reconcileFailed = registry.counter("smbgw.agent.reconcile.failed");
    this.reconcileQuick = registry.counter("smbgw.agent.reconcile.quick");
    this.stepsApplied = registry.counter("smbgw.agent.steps.applied");
    this.stepsFailed = registry.counter("smbgw.agent.steps.failed");
    this.stepsUndone = registry.counter("smbgw.agent.steps.undone");
    this.undoFailed = registry.counter("smbgw.agent.steps.undo_failed");
  }

  public MetricRegistry registry() {
    return registry;
  }

  /** Times one external program call, keyed by the tool's base name. */
  public Timer command(String tool) {
    return registry.timer("smbgw.agent.exec.duration." + tool);
  }

  public Counter commandFailures(String tool) {
    return registry.counter("smbgw.agent.exec.failed." + tool);
  }

  public Counter commandsStarted() {
    return commandsStarted;
  }

  public Counter smbdReloads() {
    return smbdReloads;
  }

  public Timer reconcile() {
    return reconcile;
  }

  public Timer observe() {
    return observe;
  }

  public Timer apply() {
    return apply;
  }

  public Counter reconcileOk() {
    return reconcileOk;
  }

  /** Passes planned on the last look instead of a new one (see {@code reconcile.QuickLook}). */
  public Counter reconcileQuick() {
    return reconcileQuick;
  }

  public Counter reconcileFailed() {
    return reconcileFailed;
  }

  public Counter stepsApplied() {
    return stepsApplied;
  }

  public Counter stepsFailed() {
    return stepsFailed;
  }

  public Counter stepsUndone() {
    return stepsUndone;
  }

  public Counter undoFailed() {
    return undoFailed;
  }
}
