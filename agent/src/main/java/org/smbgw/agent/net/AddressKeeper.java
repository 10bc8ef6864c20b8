package org.smbgw.agent.net;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.net.AddressPlan.Holding;
import org.smbgw.common.Addresses;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.NetworkInterface;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;
import org.smbgw.proto.v1.TcpConnection;

/**
 * Holds the node's floating addresses under its lease (DESIGN section 4). The rules live in two
 * pure values: {@link Lease} (when to renew, when to give up on a replica, until when addresses
 * may be held) and {@link AddressPlan} (what to add, refresh and drop). This class only feeds them
 * the time and the news, sends renewals through the {@link Channel}, and has {@link Actions} carry
 * out each plan.
 *
 * <p>Threads: every piece of state belongs to the one thread of the scheduler it is given, which
 * does nothing else (in the agent, {@code smbgw-lease}); {@link #granted}, {@link #expect},
 * {@link #serving}, {@link #update} and {@link #close} may be called from any thread and hand their
 * work to it. Time comes from the
 * injected ticker, so tests drive the lease with a fake clock.
 */
public final class AddressKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AddressKeeper.class);
  static final long TICK_MS = 25;
  /**
   * A plan's choices (what to add, keep and drop) are made before {@code ip} runs; its lifetimes
   * are counted once ip has started, just before it is handed them. What is left between that
   * count and the kernel taking the lines is ip's own start-up (its process: a stop of the agent
   * does not hold it up, only load does) and a pipe write; the leader's margin beyond L covers it.
   * An {@code ip} run that takes longer than this is followed at once by a fresh plan, or by
   * letting go of everything when the lease ran out meanwhile.
   */
  static final Duration SLOW_APPLY = Duration.ofMillis(100);
  /**
   * A listing of the interfaces this recent stands for "now" before an address is added: it was
   * made for that address, when the state that brought it arrived ({@link #expect}).
   */
  static final Duration LISTING_FRESH = Duration.ofSeconds(1);

  /** How renewals leave the node; the coordinator session implements it. */
  public interface Channel {
    /**
     * Sends the renewal; returns when the stream took it, on the keeper's ticker (read just
     * before: the lease counts from there), or empty when there is no stream to send it on (none
     * yet, or one being built). That may be later than the keeper asked: the session's monitor,
     * held while a stream is installed or a report handed over, holds the renewal back.
     */
    OptionalLong send(LeaseRenewal renewal);

    /**
     * The current replica cannot renew the lease: it did not answer a renewal in time, or
     * ({@code answered}) answered it without recording it. Try another replica.
     */
    void stalled(boolean answered);

    /**
     * When the current stream was opened, on the keeper's ticker: when its hello was handed over
     * (and, while the next one is being built, when that began).
     */
    long streamOpenedNanos();
  }

  /** What carries out plans: the kernel's addresses in the agent, a fake in tests. */
  public interface Actions extends AutoCloseable {
    /**
     * Adds (never over an address the node has already: that fails) or refreshes with a kernel
     * lifetime, and removes; returns what failed, empty when nothing did. {@code lifetime} gives
     * the whole seconds at the moment it is asked, which must be the last moment before the kernel
     * gets them (a lifetime counts from then); asked once, and only when there is something to add
     * or refresh. At 0 nothing is added or extended, and the answer says so.
     */
    String change(List<Holding> add, List<Holding> refresh, LongSupplier lifetime, List<Holding> drop);

    List<NetworkInterface> interfaces() throws Exception;

    /** Established client connections to these host addresses (for the next holder's tickles). */
    List<TcpConnection> connections(Set<String> hosts);

    /** Gratuitous ARP and tickles for a newly added address, in the background. */
    void announce(AddressAssignment a, String device);

    /** What is held now changed: record it where a release after a crash finds it. */
    void held(Collection<Holding> held);

    @Override
    void close();
  }

  private enum State { NEW, STARTED, CLOSED }

  private final Actions actions;
  private final LongSupplier ticker;
  private final Clock wall;
  private final ScheduledExecutorService thread;
  /** What this keeper made and must close; empty when the caller owns them. */
  private final List<AutoCloseable> owned;
  private final AtomicReference<State> state = new AtomicReference<>(State.NEW);
  private volatile Channel channel;
  private volatile ScheduledFuture<?> ticking;
  /** When the lease loop last ticked; read by the watchdog from any thread. */
  private volatile long lastTick;

  // Lease-thread state.
  private Lease lease;
  private final Map<String, Holding> held = new LinkedHashMap<>();
  private Map<String, List<String>> desired = Map.of();
  private Set<String> active = Set.of();
  private Map<String, Long> readySince = Map.of();
  private List<NetworkInterface> interfaces = List.of();
  /** When {@link #interfaces} were listed (ticker; from the start, too long ago to count); lease thread. */
  private long listedAt;
  /** Set by the close task: from then on nothing is planned, added or renewed. */
  private boolean closing;

  /**
   * A keeper on the caller's scheduler and actions, which the caller closes.
   *
   * @param defaultLease L until the first grant says otherwise
   */
  public AddressKeeper(Actions actions, Duration defaultLease, LongSupplier ticker, Clock wall,
      ScheduledExecutorService thread) {
    this(actions, defaultLease, ticker, wall, thread, List.of());
  }

  private AddressKeeper(Actions actions, Duration defaultLease, LongSupplier ticker, Clock wall,
      ScheduledExecutorService thread, List<AutoCloseable> owned) {
    this.actions = actions;
    this.ticker = ticker;
    this.wall = wall;
    this.thread = thread;
    this.owned = owned;
    this.lease = Lease.none(defaultLease.toNanos(), ticker.getAsLong());
    this.listedAt = ticker.getAsLong() - LISTING_FRESH.toNanos() - 1;
  }

  /** The agent's keeper: the kernel's addresses, the system clocks, its own {@code smbgw-lease} thread. */
  public static AddressKeeper onOwnThread(CommandRunner runner, TcpTable tcp, Duration defaultLease,
      HeldAddresses record) {
    ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "smbgw-lease");
      t.setDaemon(true);
      return t;
    });
    KernelAddresses kernel = new KernelAddresses(runner, tcp, record);
    return new AddressKeeper(kernel, defaultLease, System::nanoTime, Clock.systemUTC(), thread,
        List.of(kernel, thread::shutdownNow));
  }

  /** Starts ticking every 25 ms: renewals, replica stalls, expiry. */
  public void start(Channel channel) {
    if (!state.compareAndSet(State.NEW, State.STARTED)) {
      throw new IllegalStateException("address keeper already started or closed");
    }
    this.channel = channel;
    ticking = thread.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** Hands {@code task} to the lease thread; after close there is nothing to do. */
  private void onLeaseThread(Runnable task) {
    try {
      thread.execute(() -> {
        if (!closing) {
          task.run();
        }
      });
    } catch (RejectedExecutionException e) {
      // closed: the addresses are already let go of
    }
  }

  /**
   * A desired state about to be applied, before its shares are published: an address it brings is
   * asked of the coordinator and the interfaces are listed now, while the pass publishes, so that
   * the address comes up as soon as its shares serve (a failover is on the clients' clock). Any
   * thread.
   */
  public void expect(NodeDesiredState d) {
    Map<String, List<String>> next = wanted(d);
    onLeaseThread(() -> {
      if (next.equals(desired)) {
        return;
      }
      boolean brought = next.keySet().stream().anyMatch(k -> !held.containsKey(k) && !desired.containsKey(k));
      want(next);
      long now = ticker.getAsLong();
      if (lease.renewDue(now)) {
        renew(); // before the listing: ip's start-up must not hold up a renewal
      }
      if (brought) {
        list("");
      }
      reconcile();
    });
  }

  /**
   * The shares an include just installed serves, before the pass that installed it ends: an
   * address whose shares all serve may come up now. The pass's status ({@link #update}) follows.
   * Any thread.
   */
  public void serving(Set<String> shares) {
    Set<String> now = Set.copyOf(shares);
    onLeaseThread(() -> {
      active = now;
      reconcile();
    });
  }

  /** The desired state and the latest observation: which addresses may come up here. Any thread. */
  public void update(NodeDesiredState d, NodeObservedState observed) {
    Map<String, List<String>> next = wanted(d);
    Set<String> serving = new HashSet<>();
    for (ShareStatus s : observed.getSharesList()) {
      if (s.getState() == ShareState.SHARE_STATE_ACTIVE) {
        serving.add(s.getName());
      }
    }
    onLeaseThread(() -> {
      want(next);
      active = Set.copyOf(serving);
      reconcile();
    });
  }

  /** Host address to the shares bound to it, for every address {@code d} puts on this node. */
  private static Map<String, List<String>> wanted(NodeDesiredState d) {
    Map<String, List<String>> next = new LinkedHashMap<>();
    d.getAddressesList().forEach(a -> next.put(Addresses.host(a.getAddress()), new ArrayList<>()));
    for (ShareSpec s : d.getSharesList()) {
      if (!s.getAddress().isEmpty()) {
        next.computeIfAbsent(Addresses.host(s.getAddress()), k -> new ArrayList<>()).add(s.getName());
      }
    }
    return next;
  }

  /** Lease thread: the addresses wanted here; a change is told to the coordinator at the next tick. */
  private void want(Map<String, List<String>> next) {
    if (!next.keySet().equals(desired.keySet())) {
      lease = lease.askRenewal();
    }
    desired = next;
  }

  /**
   * Lease thread: lists the interfaces and keeps the listing; null (logged, with {@code why}) when
   * they cannot be listed.
   */
  private List<NetworkInterface> list(String why) {
    try {
      interfaces = actions.interfaces();
      listedAt = ticker.getAsLong();
      return interfaces;
    } catch (Exception e) {
      log.warn("cannot list interfaces{}: {}", why, e.toString());
      return null;
    }
  }

  /** When the kernel lifetime last set on the held addresses runs out (ticker time); lease thread. */
  private long kernelUntil;

  private volatile String refused;
  /** Granted addresses refused because they are this node's own; lease thread writes. */
  private volatile String ownRefused;

  /** What the last counted grant carried that failed the rules (and was left out), or empty. Any thread. */
  public java.util.Optional<String> problem() {
    String r = refused;
    String o = ownRefused;
    return r == null && o == null ? java.util.Optional.empty()
        : java.util.Optional.of(r == null ? o : o == null ? r : r + "; " + o);
  }

  /** An answer from the coordinator. Any thread. */
  public void granted(LeaseGrant g) {
    onLeaseThread(() -> {
      Lease.Answer a = lease.answer(g);
      lease = a.lease();
      if (a.counted() || a.refused() != null) {
        refused = a.refused() != null ? "left out of a lease grant, nothing of it ran: " + a.refused() : null;
        if (refused != null) {
          log.error(refused);
        }
      }
      if (a.stalled()) {
        // This replica cannot record leases (cut off from ZooKeeper, say): ask another one.
        log.warn("lease not renewed: {}; switching coordinator",
            g.getError().isEmpty() ? "a grant of " + g.getLeaseMillis() + " ms" : g.getError());
        channel.stalled(true);
      } else if (a.counted()) {
        reconcile();
      }
    });
  }

  private void tick() {
    if (closing) {
      return;
    }
    lastTick = ticker.getAsLong();
    try {
      long now = ticker.getAsLong();
      Lease.Tick t = lease.tick(now, channel.streamOpenedNanos());
      if (t.stalled()) {
        log.warn("lease renewal {} unanswered after {} ms; switching coordinator", lease.outstandingSeq(),
            (now - lease.outstandingSentNanos()) / 1_000_000);
        channel.stalled(false);
      }
      lease = t.lease();
      if (t.expired() && !held.isEmpty()) {
        log.warn("lease ran out: letting go of {}", held.keySet());
        apply(AddressPlan.dropAll(held));
      }
      if (!held.isEmpty() && lease.stretchDue(now, kernelUntil)) {
        reconcile();
      }
      if (lease.renewDue(now)) {
        renew();
      }
    } catch (RuntimeException e) {
      log.warn("lease tick: {}", e.toString());
    }
  }

  private void renew() {
    LeaseRenewal.Builder r = LeaseRenewal.newBuilder().setSeq(lease.nextSeq());
    held.values().forEach(h -> r.addHeld(HeldAddress.newBuilder().setAddress(h.cidr()).setUpAtMillis(h.upAtMillis())
        .setServingAtMillis(h.servingAtMillis())));
    r.addAllConnections(actions.connections(held.keySet()));
    channel.send(r.build()).ifPresent(at -> lease = lease.sent(at));
  }

  /** Plans against the lease as it is now and carries the plan out. */
  private void reconcile() {
    long wallMillis = wall.millis();
    readySince = AddressPlan.readySince(readySince, desired, active, wallMillis);
    AddressPlan plan = plan(wallMillis);
    if ((!plan.noInterface().isEmpty() || !plan.add().isEmpty())
        && ticker.getAsLong() - listedAt > LISTING_FRESH.toNanos()) {
      // A new interface or subnet since the last look; and before adding, the node's own
      // addresses as they are now: a floating address never takes one over.
      list("");
      plan = plan(wallMillis);
      plan.noInterface().forEach(a -> log.warn("address {}: no interface has an address in its subnet; set one "
          + "with --interface", a.getAddress()));
    }
    String was = ownRefused;
    ownRefused = plan.own().isEmpty() ? null : "not taken over: " + String.join(", ", plan.own().stream()
        .map(AddressAssignment::getAddress).toList()) + " is this node's own address (no lifetime limit)";
    if (ownRefused != null && !ownRefused.equals(was)) {
      log.error(ownRefused);
    }
    carryOut(plan);
  }

  private AddressPlan plan(long wallMillis) {
    return AddressPlan.of(new AddressPlan.Inputs(lease, ticker.getAsLong(), wallMillis, desired, active,
        Map.copyOf(held), interfaces, readySince));
  }

  private void carryOut(AddressPlan plan) {
    if (plan.isEmpty()) {
      return;
    }
    long started = ticker.getAsLong();
    apply(plan);
    long took = ticker.getAsLong() - started;
    if (took > SLOW_APPLY.toNanos() && !closing && (!plan.add().isEmpty() || !plan.refresh().isEmpty())) {
      if (lease.expired(ticker.getAsLong())) {
        log.warn("address changes took {} ms and the lease ran out meanwhile: letting go of {}", took / 1_000_000,
            held.keySet());
        apply(AddressPlan.dropAll(held));
      } else {
        log.warn("address changes took {} ms: setting lifetimes again from now", took / 1_000_000);
        apply(plan(wall.millis()));
      }
    }
  }

  /**
   * How long past the kernel lifetime last set an address may still be up: the kernel checks
   * lifetimes on a timer it rounds up by up to 250 ms, and before Linux 6.10 (one timer for every
   * network namespace, at least a second apart) up to a second.
   */
  static final Duration KERNEL_LATE = Duration.ofMillis(1500);

  private void apply(AddressPlan plan) {
    if (plan.isEmpty()) {
      return;
    }
    // Counted once ip runs, not when the plan was made: the agent may have been stopped in
    // between, and the lease run out. Never more than the plan's; see SLOW_APPLY for what is left.
    // The supplier runs on this thread, inside change().
    long[] given = {0};
    String failed = actions.change(plan.add(), plan.refresh(), () -> {
      long now = ticker.getAsLong();
      given[0] = closing ? 0 : Math.min(plan.lifetimeSeconds(), lease.wholeSecondsLeft(now));
      if (given[0] > 0) {
        kernelUntil = now + TimeUnit.SECONDS.toNanos(given[0]);
      }
      return given[0];
    }, plan.drop());
    List<Holding> added = plan.add();
    List<Holding> gone = plan.drop();
    List<NetworkInterface> planned = interfaces; // the listing the plan was made on
    if (!failed.isEmpty()) {
      log.warn("address changes failed in part: {}", failed);
      // Only what the kernel has now counts, from one look at the interfaces. An address to drop
      // stays held, and so in renewals, until it is gone or surely past its kernel lifetime: were
      // it reported let go, the leader would give it to another node while it is still up here.
      boolean lifetimeOver = ticker.getAsLong() - kernelUntil > KERNEL_LATE.toNanos();
      Predicate<Holding> up = added.isEmpty() && (gone.isEmpty() || lifetimeOver) ? h -> false : kernelHas();
      // Interfaces that cannot be listed: nothing came up (the next plan adds it again), nothing went.
      // An add that failed over an address the node had already (another's, a DHCP lease, one
      // left by an agent before this one) takes nothing over: it is not held, announced or dropped.
      added = up == null ? List.of() : added.stream().filter(up).filter(h -> !listed(planned, h)).toList();
      if (!lifetimeOver) {
        gone = up == null ? List.of() : gone.stream().filter(up.negate()).toList();
      }
    }
    gone.forEach(h -> held.remove(h.key()));
    for (Holding h : added) {
      held.put(h.key(), h);
      log.info("address {} up on {} ({} s kernel lifetime); announcing, {} connection(s) to tickle",
          h.cidr(), h.device(), given[0], h.assignment().getTicklesCount());
      actions.announce(h.assignment(), h.device());
    }
    if (!gone.isEmpty()) {
      log.info("let go of {}", gone.stream().map(Holding::cidr).toList());
    }
    if (!added.isEmpty() || !gone.isEmpty()) {
      lease = lease.askRenewal(); // the coordinator hears what is held now
      actions.held(List.copyOf(held.values()));
    }
  }

  /**
   * Whether the kernel has an address, from one listing of the interfaces now; null (logged) when
   * they cannot be listed.
   */
  private Predicate<Holding> kernelHas() {
    List<NetworkInterface> now = list(" to see which addresses changed");
    if (now == null) {
      return null;
    }
    // An address the node has as its own is not ours to hold, whatever the add said.
    return h -> now.stream().anyMatch(i -> i.getName().equals(h.device())
        && i.getAddressesList().stream().anyMatch(a -> Addresses.same(a, h.cidr()))
        && i.getPermanentList().stream().noneMatch(a -> Addresses.same(a, h.cidr())));
  }

  /** Whether {@code listing} has {@code h}'s address on any interface. */
  private static boolean listed(List<NetworkInterface> listing, Holding h) {
    return listing.stream().anyMatch(i -> i.getAddressesList().stream().anyMatch(a -> Addresses.same(a, h.cidr())));
  }

  /** Whether the lease loop ticked within {@code patience} (the watchdog asks). Any thread. */
  public boolean ticking(Duration patience) {
    return state.get() == State.STARTED && ticker.getAsLong() - lastTick < patience.toNanos();
  }

  /** What is held now (for status and tests). */
  public List<String> held() throws Exception {
    return thread.submit(() -> held.values().stream().map(Holding::cidr).toList()).get(10, TimeUnit.SECONDS);
  }

  /**
   * Stops ticking, lets go of every address, and closes what this keeper made. Renewals, grants
   * and updates that arrive meanwhile change nothing.
   */
  @Override
  public void close() {
    if (state.getAndSet(State.CLOSED) == State.CLOSED) {
      return;
    }
    ScheduledFuture<?> t = ticking;
    if (t != null) {
      t.cancel(false);
    }
    try {
      thread.submit(() -> {
        closing = true;
        apply(AddressPlan.dropAll(held));
      }).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("cannot let go of addresses on close: {}", e.toString());
    }
    for (AutoCloseable c : owned) {
      try {
        c.close();
      } catch (Exception e) {
        log.warn("closing {}: {}", c, e.toString());
      }
    }
  }
}
