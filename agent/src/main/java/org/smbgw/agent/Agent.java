package org.smbgw.agent;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.smbgw.agent.config.AgentConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.smbgw.agent.config.DesiredStateFile;
import org.smbgw.agent.control.CoordinatorClient;
import org.smbgw.agent.pve.Inventory;
import org.smbgw.agent.pve.PveStorage;
import org.smbgw.agent.pve.StorageConfig;
import org.smbgw.agent.pve.StorageResolver;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.common.DesiredStateValidator;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.fs.ShareRoots;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.metrics.MetricsEndpoint;
import org.smbgw.agent.metrics.QuotaAlerts;
import org.smbgw.agent.reconcile.AuditLog;
import org.smbgw.agent.reconcile.Executor;
import org.smbgw.agent.reconcile.Host;
import org.smbgw.agent.reconcile.IncludeComposer;
import org.smbgw.agent.reconcile.Observer;
import org.smbgw.agent.reconcile.Planner;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.samba.Pdbedit;
import org.smbgw.agent.samba.SambaConfig;
import org.smbgw.agent.samba.SambaTools;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.samba.SmbdSandbox;
import org.smbgw.agent.users.UnixAccounts;
import org.smbgw.agent.zfs.SandboxPool;
import org.smbgw.agent.zfs.Zfs;
import org.smbgw.common.Sizes;
import org.smbgw.proto.v1.NodeObservedState;

/**
 * One node agent in single-node mode. {@link #start()} brings parts up in order (sandbox pool,
 * sandbox smbd, the reconcile loop, the desired-state poll); {@link #close()} stops them in
 * reverse. Start once; use after close fails.
 */
public final class Agent implements AutoCloseable {
  private enum State { NEW, STARTED, CLOSED }

  private final AgentConfig config;
  private final AgentMetrics metrics;
  private final CommandRunner runner;
  private final SmbdSandbox sandbox;
  private final DesiredStateFile desired;
  private final CoordinatorClient coordinator;
  private final StatusWriter status;
  private final Reconciler reconciler;
  private final ScheduledExecutorService loop;
  private final AuditLog audit;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private final MetricRegistry registry;
  private MetricsEndpoint metricsEndpoint;
  private final org.smbgw.agent.net.AddressKeeper addresses;
  private final org.smbgw.agent.samba.SambaProfile profile;

  public Agent(AgentConfig config, MetricRegistry registry) {
    this.config = config;
    this.registry = registry;
    this.metrics = new AgentMetrics(registry);
    this.runner = new CommandRunner(metrics, config.commandTimeout());
    SambaTools std = SambaTools.defaults();
    SambaTools tools = new SambaTools(std.smbd(), std.testparm(), std.smbcontrol(), std.pdbedit(), config.samba().smbstatus());
    Path stateDir = config.stateDir();
    this.sandbox = config.sandbox() == null ? null : new SmbdSandbox(runner, tools,
        stateDir.resolve("samba"), config.sandbox().address(), config.sandbox().port());
    SambaConfig samba = new SambaConfig(runner, metrics, config.samba().config(), config.samba().include(), tools);
    this.profile = Boolean.TRUE.equals(config.samba().profiling())
        ? new org.smbgw.agent.samba.SambaProfile(runner, tools, config.samba().config()) : null;
    Pdbedit pdbedit = new Pdbedit(runner, tools, config.samba().config(), stateDir.resolve("private"));
    Host host = new Host(new Zfs(runner, config.zfs().zfs(), org.smbgw.agent.zfs.MountTable.proc()), samba, pdbedit,
        UnixAccounts.system(runner), new ShareRoots(), new SmbStatus(runner, tools, config.samba().config()));
    IncludeComposer composer = new IncludeComposer(new IncludeRenderer(config.unixGroup()));
    this.audit = new AuditLog(stateDir.resolve("audit.log"), Clock.systemUTC());
    this.loop = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "smbgw-reconcile");
      t.setDaemon(true);
      return t;
    });
    Path storageCfg = config.pveStorageConfig();
    StorageResolver resolver = new StorageResolver(config.node(), readStorages(storageCfg));
    List<Path> roots = new ArrayList<>(config.directoryRoots());
    roots.addAll(resolver.roots());
    DesiredStateValidator validator = new DesiredStateValidator(roots);
    AtomicReference<Reconciler> trigger = new AtomicReference<>();
    if (config.coordinators().isEmpty()) {
      this.desired = new DesiredStateFile(config.desiredStateFile(), config.node(), roots, resolver::resolve);
      this.coordinator = null;
      this.addresses = null;
    } else {
      this.addresses = new org.smbgw.agent.net.AddressKeeper(runner, org.smbgw.agent.net.TcpTable.proc(),
          Duration.ofSeconds(2));
      this.desired = null;
      Inventory inventory = new Inventory(runner, config.zfs().zfs(), tools.smbd(), config.node());
      this.coordinator = new CoordinatorClient(config.coordinators(), config.node(),
          () -> inventory.build(readStorages(storageCfg)),
          raw -> {
            NodeDesiredState d = resolver.resolve(raw);
            InvalidSpecException.throwIfAny(validator.validate(d));
            return d;
          },
          () -> trigger.get().trigger(), loop, addresses::granted);
    }
    this.status = new StatusWriter(stateDir.resolve("status.json"), Clock.systemUTC(),
        s -> {
          if (coordinator != null) {
            coordinator.report(s);
            coordinator.current().ifPresent(d -> addresses.update(d, s));
          }
        }, new QuotaAlerts(stateDir.resolve("quota-alerts.json")));
    DesiredStateSource source = coordinator != null ? coordinator : desired;
    this.reconciler = new Reconciler(source, new Observer(host),
        new Planner(config.unixGroup(), samba.includeLine(), composer),
        new Executor(host, audit, metrics, composer), metrics, loop, stateDir.resolve("zfs-parents"), status);
    trigger.set(reconciler);
  }

  private static Map<String, PveStorage> readStorages(Path file) {
    try {
      return StorageConfig.read(file);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot read " + file, e);
    }
  }

  /**
   * Brings the agent up. With {@code loop} false, nothing runs in the background: passes happen
   * only through {@link #reconcileNow()} (tests, benchmarks, {@code run --once}).
   */
  public void start(boolean loop) throws Exception {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("agent already started or closed");
    }
    if (sandbox != null) {
      AgentConfig.Sandbox box = config.sandbox();
      if (box.pool() != null && box.poolFile() != null) {
        java.util.List<org.smbgw.common.Violation> v = new java.util.ArrayList<>();
        long size = Sizes.parse("sandbox.poolSize", box.poolSize(), v);
        org.smbgw.common.InvalidSpecException.throwIfAny(v);
        new SandboxPool(runner, config.zfs().zpool()).ensure(box.pool(), box.poolFile(), size,
            config.stateDir().resolve("pool"));
      }
      sandbox.start(Duration.ofSeconds(30));
    }
    if (!config.metricsListen().isEmpty()) {
      String listen = config.metricsListen();
      int colon = listen.lastIndexOf(':');
      metricsEndpoint = new MetricsEndpoint(listen.substring(0, colon), Integer.parseInt(listen.substring(colon + 1)),
          registry, status::latest, () -> {
            NodeObservedState s = status.latest();
            return s.getAppliedGeneration() != 0 && s.getErrorsCount() == 0;
          }, profile == null ? java.util.Map::of : profile::latest);
    }
    if (coordinator != null) {
      coordinator.start();
      addresses.start(coordinator);
    } else {
      desired.poll();
    }
    if (loop) {
      reconciler.start(config.resync());
      if (profile != null) {
        profile.start(config.resync());
      }
      if (desired != null) {
        this.loop.scheduleWithFixedDelay(() -> {
          if (desired.poll()) {
            reconciler.trigger();
          }
        }, 1, 1, TimeUnit.SECONDS);
      }
    }
  }

  /** Re-reads the desired-state file and runs one pass now, waiting for it. */
  public Reconciler.PassReport reconcileNow() throws InterruptedException, ExecutionException {
    if (desired != null) {
      desired.poll();
    }
    return reconciler.reconcileNow();
  }

  public NodeObservedState status() {
    return status.latest();
  }

  public CommandRunner runner() {
    return runner;
  }

  /** The Prometheus endpoint's port, or -1 when it is off. */
  public int metricsPort() {
    return metricsEndpoint == null ? -1 : metricsEndpoint.port();
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  public AuditLog audit() {
    return audit;
  }

  /** smbd's profiling counters, or null when samba.profiling is off. */
  public org.smbgw.agent.samba.SambaProfile profile() {
    return profile;
  }

  public SmbdSandbox sandbox() {
    return sandbox;
  }

  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    if (metricsEndpoint != null) {
      metricsEndpoint.close();
    }
    if (addresses != null) {
      addresses.close();
    }
    if (profile != null) {
      profile.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
    reconciler.close();
    if (sandbox != null) {
      sandbox.close();
    }
    runner.close();
  }
}
