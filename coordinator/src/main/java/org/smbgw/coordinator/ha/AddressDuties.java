package org.smbgw.coordinator.ha;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.common.Addresses;
import org.smbgw.coordinator.election.LeaderWorker;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.StoreException;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.Failover;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.TcpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the leader does for floating addresses, every {@value #TICK_MS} ms and on every change:
 *
 * <ul>
 *   <li>Failover: an address whose holder's lease has not changed for L + margin (on this
 *       replica's clock) goes, with its shares, to the least loaded fit node, in one fenced
 *       transaction that also checks the lease version it judged by. The client connections the
 *       old holder last reported go with it, for tickles.
 *   <li>Planned moves: an address being released goes to its target once the old holder has
 *       renewed without it (a renewal recorded after the release) or its lease ran out.
 *   <li>An address nobody could take is given to the first node that can.
 *   <li>When the new holder reports a failed-over address serving, the failover is recorded as
 *       an event with its phases.
 * </ul>
 *
 * Nothing moves back by itself when a node returns (no flapping); {@code smbgw vip move} does.
 */
public final class AddressDuties extends LeaderWorker {
  private static final Logger log = LoggerFactory.getLogger(AddressDuties.class);
  static final long TICK_MS = 50;

  private final ClusterView view;
  private final StateStore store;
  private final LeaseSettings settings;
  private final HaListener listener;
  private final Placer placer = new Placer();

  public AddressDuties(ClusterView view, StateStore store, LeaseSettings settings, HaListener listener) {
    super("smbgw-addresses", TICK_MS);
    this.view = view;
    this.store = store;
    this.settings = settings;
    this.listener = listener;
    view.onChange(this::trigger);
    view.onLease(node -> trigger());
  }

  @Override
  protected void run(Term t) {
    long now = view.now();
    for (Map.Entry<String, Tracked<AddressRecord>> e : List.copyOf(view.addresses().entrySet())) {
      if (!leading(t)) {
        return; // deposed: the new leader decides from here
      }
      try {
        step(t, e.getValue(), now);
        failing.remove(e.getKey());
      } catch (Exception ex) {
        failed(e.getKey(), t, ex);
      }
    }
  }

  /** Per address, the last failure logged at WARN (the same one again every tick is not news). Worker thread only. */
  private final Map<String, String> failing = new HashMap<>();

  private void failed(String address, Term t, Exception ex) {
    if (!leading(t)) {
      log.debug("address {}: interrupted by the end of term {}: {}", address, t.epoch(), ex.toString());
      return;
    }
    if (ex instanceof StoreException se && se.kind() == StoreException.Kind.CONFLICT) {
      // The view was behind (a renewal or another write since): the next tick decides again.
      log.debug("address {}: {}", address, ex.getMessage());
      return;
    }
    // Deposed, ZooKeeper away, or a bug: counted every time, logged when it changes.
    listener.dutyFailed("address");
    String why = ex.toString();
    if (!why.equals(failing.put(address, why))) {
      log.warn("address {}: its duty failed; tried again every {} ms: {}", address, TICK_MS, why);
    }
  }

  private void step(Term t, Tracked<AddressRecord> tracked, long now) throws Exception {
    AddressRecord r = tracked.value();
    if (!r.getNode().isEmpty()) {
      Tracked<LeaseRecord> lease = view.leases().get(r.getNode());
      if (lease == null) {
        return; // the lease znode is created with the node; wait for the view to show it
      }
      if (settings.expired(lease.heardNanos(), tracked.heardNanos(), view.heard())) {
        failover(t, tracked, lease, now);
      } else if (r.hasFailover()) {
        finishFailover(t, tracked, lease.value());
      }
    } else if (!r.getReleasingFrom().isEmpty()) {
      Tracked<LeaseRecord> lease = view.leases().get(r.getReleasingFrom());
      boolean released = lease != null && lease.mzxid() > tracked.mzxid() && !holds(lease.value(), r.getAddress());
      boolean expired = lease == null || settings.expired(lease.heardNanos(), tracked.heardNanos(), view.heard());
      if (released || expired) {
        assign(t, tracked, r.getReleasingFrom(), r.getMovingTo(), lease, "planned");
      }
    } else {
      assign(t, tracked, "", "", null, "unassigned");
    }
  }

  private static boolean holds(LeaseRecord lease, String address) {
    return lease.getHeldList().stream().anyMatch(h -> Addresses.same(h.getAddress(), address));
  }

  private void failover(Term t, Tracked<AddressRecord> tracked, Tracked<LeaseRecord> lease, long now) throws Exception {
    AddressRecord r = tracked.value();
    String from = r.getNode();
    long silentMs = (now - lease.seenNanos()) / 1_000_000;
    long wallNow = System.currentTimeMillis();
    Optional<String> to = target(r, from, "");
    List<CuratorOp> ops = store.ops();
    // The lease must still be the one judged expired: a renewal recorded since fails the write.
    ops.add(store.check(ZkPaths.lease(from), lease.version()));
    AddressRecord.Builder next = r.toBuilder().setNode(to.orElse("")).setEpoch(t.epoch()).clearTickles()
        .addAllTickles(connections(lease.value(), r.getAddress()))
        .setFailover(Failover.newBuilder().setFromNode(from).setLastRenewalMillis(wallNow - silentMs)
            .setDetectedMillis(wallNow).setReassignedMillis(System.currentTimeMillis()).setReason("lease of " + from + " expired (" + silentMs + " ms without a renewal)"));
    if (to.isEmpty()) {
      next.clearFailover();
    }
    ops.add(store.set(ZkPaths.address(r.getAddress()), next.build(), tracked.version()));
    int moved = to.isPresent() ? movePlacements(t, r.getAddress(), to.get(), ops) : 0;
    ops.add(event(t, to.isPresent() ? "address.failover.started" : "address.down", "address/" + r.getAddress(),
        to.map(n -> "lease of " + from + " expired after " + silentMs + " ms without a renewal; moving to " + n
            + " with " + moved + " share(s)")
            .orElse("lease of " + from + " expired; no other node can take it: " + why(r, from))));
    long before = System.currentTimeMillis();
    store.fenced(t, ops);
    log.warn("address {}: lease of {} expired ({} ms silent); {}", r.getAddress(), from, silentMs,
        to.map(n -> "now on " + n + " (written in " + (System.currentTimeMillis() - before) + " ms)").orElse("no node can take it"));
    if (to.isPresent()) {
      listener.placementChanged("failover", moved);
    }
  }

  /** Records the finished failover once the new holder reports the address serving. */
  private void finishFailover(Term t, Tracked<AddressRecord> tracked, LeaseRecord lease) throws Exception {
    AddressRecord r = tracked.value();
    Optional<HeldAddress> held = lease.getHeldList().stream()
        .filter(h -> Addresses.same(h.getAddress(), r.getAddress()) && h.getServingAtMillis() > 0).findFirst();
    if (held.isEmpty()) {
      return;
    }
    Failover f = r.getFailover();
    long base = f.getLastRenewalMillis();
    Map<String, Double> phases = new LinkedHashMap<>();
    phases.put("detected", (f.getDetectedMillis() - base) / 1000.0);
    phases.put("reassigned", (f.getReassignedMillis() - base) / 1000.0);
    phases.put("address_up", (held.get().getUpAtMillis() - base) / 1000.0);
    phases.put("serving", (held.get().getServingAtMillis() - base) / 1000.0);
    List<CuratorOp> ops = store.ops();
    ops.add(store.set(ZkPaths.address(r.getAddress()), r.toBuilder().clearFailover().build(), tracked.version()));
    StringBuilder msg = new StringBuilder("from " + f.getFromNode() + " to " + r.getNode() + ", seconds after the last renewal:");
    phases.forEach((k, v) -> msg.append(' ').append(k).append(' ').append(String.format(java.util.Locale.ROOT, "%.3f", v)));
    ops.add(event(t, "address.failover", "address/" + r.getAddress(), msg.toString()));
    store.fenced(t, ops);
    listener.failover(phases);
  }

  /** Gives the address (and its shares) to {@code preferred} if it fits, else the best fit node. */
  private void assign(Term t, Tracked<AddressRecord> tracked, String from, String preferred,
      Tracked<LeaseRecord> fromLease, String cause) throws Exception {
    AddressRecord r = tracked.value();
    Optional<String> to = target(r, "", preferred);
    if (to.isEmpty()) {
      if (!from.isEmpty()) {
        log.warn("address {}: released by {} but no node can take it: {}", r.getAddress(), from, why(r, from));
      }
      return; // stays released or unassigned; the next tick tries again
    }
    List<CuratorOp> ops = store.ops();
    AddressRecord.Builder next = r.toBuilder().setNode(to.get()).clearReleasingFrom().clearMovingTo().setEpoch(t.epoch());
    if (fromLease != null) {
      next.clearTickles().addAllTickles(connections(fromLease.value(), r.getAddress()));
    }
    ops.add(store.set(ZkPaths.address(r.getAddress()), next.build(), tracked.version()));
    int moved = movePlacements(t, r.getAddress(), to.get(), ops);
    ops.add(event(t, "address.moved", "address/" + r.getAddress(),
        (from.isEmpty() ? "assigned" : "released by " + from + ",") + " now on " + to.get() + " with " + moved + " share(s)"));
    store.fenced(t, ops);
    listener.placementChanged(cause, moved);
  }

  private CuratorOp event(Term t, String kind, String subject, String message) throws Exception {
    return store.event(Event.newBuilder().setTimeMillis(System.currentTimeMillis()).setKind(kind)
        .setSubject(subject).setMessage(message).setEpoch(t.epoch()).build());
  }

  private static List<TcpConnection> connections(LeaseRecord lease, String address) {
    String host = Addresses.host(address);
    return lease.getConnectionsList().stream().filter(c -> {
      int colon = c.getServer().lastIndexOf(':');
      return colon > 0 && c.getServer().substring(0, colon).equalsIgnoreCase(host);
    }).toList();
  }

  /** Adds the placement writes that put every share bound to the address on {@code node}. */
  private int movePlacements(Term t, String address, String node, List<CuratorOp> ops) throws Exception {
    int moved = 0;
    for (ShareSpec s : bound(address)) {
      Versioned<Placement> p = view.placements().get(ZkPaths.shareKey(s.getName()));
      Placement np = Placement.newBuilder().setShare(s.getName()).setNode(node).setEpoch(t.epoch()).build();
      if (p == null) {
        ops.add(store.create(ZkPaths.placement(s.getName()), np));
      } else if (!p.value().getNode().equals(node)) {
        ops.add(store.set(ZkPaths.placement(s.getName()), np, p.version()));
      } else {
        continue;
      }
      moved++;
    }
    return moved;
  }

  private List<ShareSpec> bound(String address) {
    return view.shares().values().stream().map(Versioned::value)
        .filter(s -> Addresses.same(s.getAddress(), address)).sorted(Comparator.comparing(ShareSpec::getName)).toList();
  }

  /**
   * Nodes that may take an address: connected, not in maintenance, and renewing their lease right
   * now (a node that has not renewed lately would take it only to lose it).
   */
  private List<Candidate> fitNodes(String exclude) {
    long now = view.now();
    List<Candidate> out = new ArrayList<>();
    view.nodes().values().forEach(v -> {
      String name = v.value().getName();
      LiveNode live = view.live().get(name);
      Tracked<LeaseRecord> lease = view.leases().get(name);
      boolean fresh = lease != null && settings.fresh(lease.seenNanos(), now);
      if (!name.equals(exclude) && live != null && fresh && !v.value().getMaintenance()) {
        out.add(new Candidate(name, true, false, live.getInventory().getStoragesList()));
      }
    });
    return out;
  }

  private Optional<String> target(AddressRecord r, String exclude, String preferred) {
    List<Candidate> fit = fitNodes(exclude);
    if (fit.isEmpty()) {
      return Optional.empty();
    }
    List<ShareSpec> group = bound(r.getAddress());
    Optional<Candidate> pref = fit.stream().filter(c -> c.name().equals(preferred)).findFirst();
    if (group.isEmpty()) {
      Map<String, Long> held = new HashMap<>();
      view.addresses().values().forEach(a -> held.merge(a.value().getNode(), 1L, Long::sum));
      return pref.map(Candidate::name).or(() -> fit.stream()
          .min(Comparator.comparing((Candidate c) -> held.getOrDefault(c.name(), 0L)).thenComparing(Candidate::name))
          .map(Candidate::name));
    }
    if (group.stream().anyMatch(s -> s.getStorage().hasZfs())) {
      return Optional.empty(); // node-local data: the address stays with it
    }
    List<Candidate> candidates = pref.isPresent() ? List.of(pref.get()) : fit;
    Optional<String> chosen = placeGroup(group, candidates);
    if (chosen.isEmpty() && pref.isPresent()) {
      chosen = placeGroup(group, fit);
    }
    return chosen;
  }

  /** The node placement picks for the group, counting every other share where it is. */
  private Optional<String> placeGroup(List<ShareSpec> group, List<Candidate> candidates) {
    List<ShareSpec> all = new ArrayList<>(group);
    Map<String, String> current = new HashMap<>();
    view.shares().values().stream().map(Versioned::value).filter(s -> !group.contains(s)).forEach(s -> {
      all.add(s);
      view.placement(s.getName()).ifPresent(n -> current.put(s.getName(), n));
    });
    Placer.Result result = placer.place(all, current, candidates);
    return Optional.ofNullable(result.placed().get(group.get(0).getName()));
  }

  private String why(AddressRecord r, String from) {
    List<ShareSpec> group = bound(r.getAddress());
    if (group.stream().anyMatch(s -> s.getStorage().hasZfs())) {
      return "its shares are on node-local storage";
    }
    return fitNodes(from).isEmpty() ? "no other node is connected, renewing its lease and out of maintenance"
        : "no connected node offers the storage of its shares";
  }

}
