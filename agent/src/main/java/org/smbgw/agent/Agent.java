package org.smbgw.agent;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.agent.config.AgentConfig;
import org.smbgw.agent.config.DesiredStateFile;
import org.smbgw.agent.control.BrakedSource;
import org.smbgw.agent.control.CoordinatorClient;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.fs.DiskSpace;
import org.smbgw.agent.fs.ShareRoots;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.metrics.MetricsEndpoint;
import org.smbgw.agent.metrics.QuotaAlerts;
import org.smbgw.agent.net.AddressKeeper;
import org.smbgw.agent.net.HeldAddresses;
import org.smbgw.agent.net.TcpTable;
import org.smbgw.agent.pve.Inventory;
import org.smbgw.agent.pve.InventoryCollector;
import org.smbgw.agent.pve.StorageCatalog;
import org.smbgw.agent.pve.StorageResolver;
import org.smbgw.agent.reconcile.AuditLog;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.agent.reconcile.Executor;
import org.smbgw.agent.reconcile.Host;
import org.smbgw.agent.reconcile.IncludeComposer;
import org.smbgw.agent.reconcile.Observer;
import org.smbgw.agent.reconcile.Planner;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.samba.Pdbedit;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.samba.SambaConfig;
import org.smbgw.agent.samba.SambaProfile;
import org.smbgw.agent.samba.SambaTools;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.samba.SmbdSandbox;
import org.smbgw.agent.users.UnixAccounts;
import org.smbgw.agent.zfs.MountTable;
import org.smbgw.agent.zfs.SandboxPool;
import org.smbgw.agent.zfs.Zfs;
import org.smbgw.common.DesiredStateValidator;
import org.smbgw.common.HostPort;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Sizes;
import org.smbgw.common.Violation;
import org.smbgw.common.tls.PeerNames;
import org.smbgw.common.tls.TlsException;
import org.smbgw.common.tls.TlsFiles;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.StorageOffer;

/**
 * One node agent: a list of {@link Part}s started in order and closed in reverse (as ZooKeeper's
 * {@code ZooKeeperServerMain} does). Single-node mode and cluster mode differ only by which parts
 * are in the list: the desired-state file, or the inventory, the coordinator session and the
 * lease. Threads: each part owns its own ({@code smbgw-reconcile}, {@code smbgw-session},
 * {@code smbgw-lease}, {@code smbgw-inventory}, ...), so a long reconcile pass delays no renewal.
 * Start once; use after close fails.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  /** How long each program and free-space look of an inventory may take. */
  private static final Duration INVENTORY_CALL_TIMEOUT = Duration.ofSeconds(5);
  /** How long the first hello waits for the first inventory (a few calls' worth). */
  private static final Duration FIRST_INVENTORY_WAIT = Duration.ofSeconds(15);
  /** How often the inventory is taken again (free space changes; a storage may come back). */
  private static final Duration INVENTORY_EVERY = Duration.ofSeconds(60);
  /** How often the TLS files are read again; a renewed certificate serves the next stream. */
  private static final Duration TLS_RELOAD = Duration.ofSeconds(30);

  private enum State { NEW, STARTED, CLOSED }

  private final AgentMetrics metrics;
  private final CommandRunner runner;
  private final StatusWriter status;
  private final Reconciler reconciler;
  private final AuditLog audit;
  private final Optional<SambaProfile> profile;
  private final AtomicReference<MetricsEndpoint> endpoint = new AtomicReference<>();
  private final List<Part> parts = new ArrayList<>();
  /** Before a pass asked for with {@link #reconcileNow()}: re-read the desired state's source. */
  private final Runnable refreshSource;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);

  /**
   * What differs between the modes: where the desired state comes from, who hears of status and of
   * shares an include just installed serves (see {@link Executor}), and the parts.
   */
  private record Mode(DesiredStateSource source, Runnable refresh, Consumer<NodeObservedState> onStatus,
      Consumer<java.util.Set<String>> published, List<Part> parts, BooleanSupplier ready, BooleanSupplier leaseTicking) {}

  private final Mode mode;
  private final Duration commandTimeout;

  public Agent(AgentConfig config, MetricRegistry registry) {
    this.metrics = new AgentMetrics(registry);
    this.runner = new CommandRunner(metrics, config.commandTimeout());
    SambaTools tools = SambaTools.defaults().withSmbstatus(config.samba().smbstatus());
    Path stateDir = config.stateDir();
    SambaConfig samba = new SambaConfig(runner, metrics, config.samba().config(), config.samba().include(), tools);
    this.profile = Boolean.TRUE.equals(config.samba().profiling())
        ? Optional.of(new SambaProfile(runner, tools, config.samba().config())) : Optional.empty();
    Pdbedit pdbedit = new Pdbedit(runner, tools, config.samba().config(), stateDir.resolve("private"));
    SmbdSandbox sandbox = config.sandbox() == null ? null : new SmbdSandbox(runner, tools,
        config.stateDir().resolve("samba"), config.sandbox().address(), config.sandbox().port());
    // smbd reads the machine's SID when it starts: after a change it is restarted (the packaged
    // one by systemd, which cannot be PID 1 where the tests run).
    SambaIds.Restart restartSmbd = sandbox != null ? () -> sandbox.restart(Duration.ofSeconds(30))
        : () -> runner.run(org.smbgw.agent.exec.Command.of("systemctl", "restart", "smbd.service"));
    Host host = new Host(new Zfs(runner, config.zfs().zfs(), MountTable.proc()), samba, pdbedit,
        UnixAccounts.system(runner), new ShareRoots(), new SmbStatus(runner, tools, config.samba().config()),
        new SambaIds(runner, tools, config.samba().config(), restartSmbd, stateDir.resolve("smbd-restart-owed")),
        new NtAcls(runner, tools, config.samba().config(), stateDir, config.commandTimeout().dividedBy(4)));
    IncludeComposer composer = new IncludeComposer(new IncludeRenderer(config.unixGroup()));
    this.audit = new AuditLog(stateDir.resolve("audit.log"), Clock.systemUTC());

    StorageCatalog storages = new StorageCatalog(config.pveStorageConfig());
    StorageResolver resolver = new StorageResolver(config.node(), storages::current);
    // Looked at anew for each desired state: a storage added to storage.cfg adds its root.
    Supplier<List<Path>> roots = () -> {
      List<Path> all = new ArrayList<>(config.directoryRoots());
      all.addAll(resolver.roots());
      return all;
    };
    AtomicReference<Reconciler> trigger = new AtomicReference<>();
    Mode mode = config.coordinators().isEmpty()
        ? singleNode(config, roots, resolver, trigger)
        : cluster(config, tools, samba, host.zfs(), storages, roots, resolver, () -> trigger.get().trigger());
    this.status = new StatusWriter(stateDir.resolve("status.json"), Clock.systemUTC(), mode.onStatus(),
        new QuotaAlerts(stateDir.resolve("quota-alerts.json")));
    this.reconciler = new Reconciler(mode.source(), new Observer(host),
        new Planner(config.unixGroup(), samba.includeLine(), composer),
        new Executor(host, audit, metrics, composer, () -> trigger.get().stepStarting(), mode.published()), metrics,
        stateDir.resolve("zfs-parents"), status, System::nanoTime);
    trigger.set(reconciler);
    runner.onStart(reconciler::commandStarting);
    this.mode = mode;
    this.commandTimeout = config.commandTimeout();
    this.refreshSource = mode.refresh();

    parts.add(Part.of("command runner", bg -> { }, runner::close));
    if (sandbox != null) {
      parts.add(sandbox(config, config.sandbox(), sandbox));
    }
    if (!config.metricsListen().isEmpty()) {
      parts.add(metricsEndpoint(config.metricsListen(), registry));
    }
    parts.addAll(mode.parts()); // the desired state's source is up before the first pass looks at it
    parts.add(Part.of("reconcile loop", bg -> {
      if (bg) {
        reconciler.start(config.resync());
      }
    }, reconciler::close));
    profile.ifPresent(p -> parts.add(Part.of("Samba profiling", bg -> {
      if (bg) {
        p.start(config.resync());
      }
    }, p::close)));
  }

  private Mode singleNode(AgentConfig config, Supplier<List<Path>> roots, StorageResolver resolver,
      AtomicReference<Reconciler> passes) {
    DesiredStateFile file = new DesiredStateFile(config.desiredStateFile(), config.node(), roots, config.unixGroup(),
        resolver::resolve);
    ScheduledExecutorService poller = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "smbgw-desired-file");
      t.setDaemon(true);
      return t;
    });
    Part poll = Part.of("desired-state file " + config.desiredStateFile(), bg -> {
      file.poll();
      if (bg) {
        poller.scheduleWithFixedDelay(() -> {
          if (file.poll()) {
            passes.get().trigger();
          }
        }, 1, 1, TimeUnit.SECONDS);
      }
    }, poller::shutdownNow);
    return new Mode(file, file::poll, s -> { }, s -> { }, List.of(poll), () -> passes.get().passesDone() > 0, () -> true);
  }

  /**
   * Cluster mode's credentials, read now: the CA, and a certificate of this node with its key.
   *
   * @throws InvalidSpecException naming {@code tls} when a file cannot be used or the
   *     certificate is another node's (coordinators would refuse every hello)
   */
  public static TlsFiles credentials(AgentConfig config) {
    TlsFiles tls;
    try {
      tls = TlsFiles.node(config.tls());
    } catch (TlsException e) {
      throw new InvalidSpecException(List.of(new Violation("tls", e.getMessage())));
    }
    if (!PeerNames.of(tls.certificate()).namesNode(config.node())) {
      throw new InvalidSpecException(List.of(new Violation("tls", config.tls().cert() + " is the certificate of "
          + PeerNames.of(tls.certificate()).commonName().orElse("no node") + ", not of node " + config.node()
          + ": coordinators would refuse it")));
    }
    return tls;
  }

  private Mode cluster(AgentConfig config, SambaTools tools, SambaConfig samba, Zfs zfs, StorageCatalog storages,
      Supplier<List<Path>> roots, StorageResolver resolver,
      Runnable changed) {
    // First, before any thread or file: a node without usable credentials cannot join.
    TlsFiles tls = credentials(config);
    log.info("mutual TLS with {}", tls.describe());
    ScheduledExecutorService reloads = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "smbgw-tls-reload");
      t.setDaemon(true);
      return t;
    });
    DiskSpace space = new DiskSpace();
    Inventory inventory = new Inventory(runner, config.zfs().zfs(), tools.smbd(), config.node(), space,
        INVENTORY_CALL_TIMEOUT);
    AtomicReference<CoordinatorClient> session = new AtomicReference<>();
    InventoryCollector inventories = new InventoryCollector(
        () -> {
          NodeInventory inv = inventory.build(storages.current());
          // Known at start, not only once a dataset is made: asked of the first ZFS storage here.
          inv.getStoragesList().stream().map(StorageOffer::getZfsParent).filter(p -> !p.isEmpty()).findFirst()
              .ifPresent(zfs::learnSambaSupport);
          return inv.toBuilder().setSambaHook(samba.hookDescription()).setShareGroup(config.unixGroup())
              .setZfsProperties(zfs.sambaNote()).build();
        }, FIRST_INVENTORY_WAIT,
        inv -> session.get().inventory(inv), System::nanoTime);
    AddressKeeper addresses = AddressKeeper.onOwnThread(runner, TcpTable.proc(), Duration.ofSeconds(2),
        new HeldAddresses(heldAddressesFile(config)));
    CoordinatorClient client = new CoordinatorClient(config.coordinators(), config.node(), inventories,
        changed, addresses::granted, System::nanoTime, tls);
    session.set(client);
    // On the reconcile thread: one bad share (a storage not here, a value Samba would misread) is
    // left out with its reason, the rest is applied; then the brake on removals.
    BrakedSource braked = new BrakedSource(client, raw -> {
      java.util.Map<String, String> refused = new java.util.TreeMap<>();
      NodeDesiredState d = resolver.resolveEach(raw, refused);
      DesiredStateValidator.Split valid = DesiredStateValidator.onNode(roots.get(), config.unixGroup()).split(d);
      refused.putAll(valid.refused());
      return valid.state().toBuilder().clearRefused().putAllRefused(refused).build();
    }, config.stateDir().resolve("accepted-state.pb"));
    Consumer<NodeObservedState> onStatus = s -> { // reconcile thread
      client.report(s);
      braked.admitted().ifPresent(d -> addresses.update(d, s));
    };
    DesiredStateSource source = new DesiredStateSource() {
      @Override
      public Optional<NodeDesiredState> current() { // at the start of a pass
        Optional<NodeDesiredState> d = braked.current();
        braked.admitted().ifPresent(addresses::expect);
        return d;
      }

      @Override
      public Optional<String> problem() { // both reach the node's status: a refused grant is as loud as a refused state
        List<String> all = new ArrayList<>();
        braked.problem().ifPresent(all::add);
        addresses.problem().ifPresent(all::add);
        return all.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", all));
      }
    };
    return new Mode(source, () -> { }, onStatus, addresses::serving,
        List.of(
        // storage.cfg edited or smb.conf hooked since the last inventory: a new one within a resync.
        Part.of("inventory", bg -> inventories.start(INVENTORY_EVERY, config.resync(), () -> storages.changed()
            || inventories.latest() == null || !inventories.latest().getSambaHook().equals(samba.hookDescription())
            || !inventories.latest().getZfsProperties().equals(zfs.sambaNote())), () -> {
          inventories.close();
          space.close();
        }),
        // A renewed certificate serves the next stream without a restart.
        Part.of("certificate reload", bg -> {
          if (bg) {
            tls.watch(reloads, TLS_RELOAD, log::info, log::warn);
          }
        }, reloads::shutdownNow),
        Part.of("coordinator session", bg -> client.start(), client::close),
        Part.of("lease", bg -> addresses.start(client), addresses::close)),
        client::connected, () -> addresses.ticking(Duration.ofSeconds(1)));
  }

  private Part sandbox(AgentConfig config, AgentConfig.Sandbox box, SmbdSandbox smbd) {
    return Part.of("sandbox smbd on " + box.address() + ":" + box.port(), bg -> {
      if (box.pool() != null && box.poolFile() != null) {
        List<Violation> v = new ArrayList<>();
        long size = Sizes.parse("sandbox.poolSize", box.poolSize(), v);
        InvalidSpecException.throwIfAny(v);
        new SandboxPool(runner, config.zfs().zpool()).ensure(box.pool(), box.poolFile(), size,
            config.stateDir().resolve("pool"));
      }
      smbd.start(Duration.ofSeconds(30));
    }, smbd::close);
  }

  private Part metricsEndpoint(String listen, MetricRegistry registry) {
    return Part.of("metrics endpoint " + listen, bg -> {
      HostPort at = HostPort.parse("metrics.listen", listen, true);
      endpoint.set(new MetricsEndpoint(at.host(), at.port(),
          registry, status::latest, () -> {
            NodeObservedState s = status.latest();
            return s.getAppliedGeneration() != 0 && s.getErrorsCount() == 0;
          }, profile.<Supplier<Map<String, Long>>>map(p -> p::latest).orElse(Map::of)));
    }, () -> {
      MetricsEndpoint e = endpoint.getAndSet(null);
      if (e != null) {
        e.close();
      }
    });
  }

  /** Where the addresses held now are listed, for {@code release-addresses}. */
  public static Path heldAddressesFile(AgentConfig config) {
    return config.stateDir().resolve("held-addresses");
  }

  /**
   * Starts the parts in order. With {@code background} false, nothing runs on a timer: passes
   * happen only through {@link #reconcileNow()} (tests, benchmarks, {@code run --once}). When a
   * part fails to start, the parts already started are closed in reverse and the failure is thrown.
   */
  public void start(boolean background) throws Exception {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("agent already started or closed");
    }
    for (Part p : parts) {
      try {
        p.start(background);
      } catch (Exception | Error e) {
        // An Error too (a class missing from a mismatched build, no memory): without this, the
        // parts already started (a sandbox smbd) outlived the agent that failed to start.
        log.error("cannot start the {}: {}", p.name(), e.toString());
        close();
        throw e;
      }
    }
  }

  /** Re-reads the desired state's source and runs one pass now, waiting for it. */
  public Reconciler.PassReport reconcileNow() throws InterruptedException, ExecutionException {
    refreshSource.run();
    return reconciler.reconcileNow();
  }

  public NodeObservedState status() {
    return status.latest();
  }

  /**
   * Whether the agent serves (systemd's READY=1): its configuration is loaded, its parts are up,
   * and its first pass is done, whatever its outcome (one bad share must not keep the node from
   * starting), or in cluster mode a coordinator has answered on its session.
   */
  public boolean ready() {
    return state.get() == State.STARTED && mode.ready().getAsBoolean();
  }

  /**
   * Whether the agent's own loops make progress (systemd's watchdog): the lease loop ticks on time
   * and the reconcile loop is idle or inside a step younger than the command timeout (plus 10 s for killing a program that outlived it).
   */
  public boolean alive() {
    return state.get() == State.STARTED && mode.leaseTicking().getAsBoolean()
        && reconciler.progressing(commandTimeout.plusSeconds(10));
  }

  /** One line for {@code systemctl status}. */
  public String statusLine() {
    NodeObservedState s = status.latest();
    String source = mode.source().problem().orElse(null);
    long active = s.getSharesList().stream().filter(x -> x.getState() == ShareState.SHARE_STATE_ACTIVE).count();
    return active + " of " + s.getSharesCount() + " share(s) active, generation " + s.getAppliedGeneration()
        + (s.getErrorsCount() > 0 ? ", " + s.getErrorsCount() + " error(s)" : "") + (source != null ? "; " + source : "");
  }

  public CommandRunner runner() {
    return runner;
  }

  /** The Prometheus endpoint's port, or -1 when it is off or not started. */
  public int metricsPort() {
    MetricsEndpoint e = endpoint.get();
    return e == null ? -1 : e.port();
  }

  public AgentMetrics metrics() {
    return metrics;
  }

  public AuditLog audit() {
    return audit;
  }

  /** smbd's profiling counters; empty when samba.profiling is off. */
  public Optional<SambaProfile> profile() {
    return profile;
  }

  /**
   * Closes every part in reverse order (a part never started has its threads to close too): the
   * reconcile loop first, then the lease (which lets go of its addresses) before the session ends,
   * and smbd last but for the command runner.
   */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    for (int i = parts.size() - 1; i >= 0; i--) {
      try {
        parts.get(i).close();
      } catch (RuntimeException e) {
        log.warn("closing the {}: {}", parts.get(i).name(), e.toString());
      }
    }
  }
}
