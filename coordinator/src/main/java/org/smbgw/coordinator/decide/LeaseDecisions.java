package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.smbgw.common.Addresses;
import org.smbgw.coordinator.ha.LeaseSettings;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.Failover;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.TcpConnection;

/**
 * What the leader decides for one floating address (DESIGN 4), pure:
 *
 * <ul>
 *   <li>Failover: an address whose holder's lease is expired by {@link LeaseSettings#expired} goes,
 *       with its shares, to the best fit node; the change also checks the lease version it judged
 *       by, so a renewal recorded since fails it. The client connections the old holder last
 *       reported go with it, for tickles.
 *   <li>Planned acquire: an address being released goes to its target once the old holder has
 *       renewed without it (a renewal recorded after the release) or its lease ran out.
 *   <li>An address nobody could take goes to the first node that can.
 *   <li>When the new holder reports a failed-over address serving, the failover is recorded with
 *       its phases.
 * </ul>
 *
 * The reply is what happened, for the log, or empty when nothing did. Nothing moves back by itself
 * when a node returns (no flapping).
 */
public final class LeaseDecisions {
  private LeaseDecisions() {}

  public static Change<String> step(Snapshot s, Context c, LeaseSettings settings, String addressKey) {
    Tracked<AddressRecord> tracked = s.addresses().get(addressKey);
    if (tracked == null) {
      return Change.none("");
    }
    AddressRecord r = tracked.value();
    if (!r.getNode().isEmpty()) {
      Tracked<LeaseRecord> lease = s.leases().get(r.getNode());
      if (lease == null) {
        return Change.none(""); // the lease znode is created with the node; wait for the view to show it
      }
      if (settings.expired(lease.heardNanos(), tracked.heardNanos(), s.heardNow())) {
        return failover(s, c, settings, tracked, lease);
      }
      return r.hasFailover() ? finishFailover(tracked, lease.value()) : Change.none("");
    }
    if (!r.getReleasingFrom().isEmpty()) {
      Tracked<LeaseRecord> lease = s.leases().get(r.getReleasingFrom());
      boolean released = lease != null && lease.mzxid() > tracked.mzxid() && !holds(lease.value(), r.getAddress());
      boolean expired = lease == null || settings.expired(lease.heardNanos(), tracked.heardNanos(), s.heardNow());
      return released || expired ? assign(s, c, settings, tracked, r.getReleasingFrom(), r.getMovingTo(), lease, "planned")
          : Change.none("");
    }
    return assign(s, c, settings, tracked, "", "", null, "unassigned");
  }

  private static boolean holds(LeaseRecord lease, String address) {
    return lease.getHeldList().stream().anyMatch(h -> Addresses.same(h.getAddress(), address));
  }

  private static Change<String> failover(Snapshot s, Context c, LeaseSettings settings, Tracked<AddressRecord> tracked,
      Tracked<LeaseRecord> lease) {
    AddressRecord r = tracked.value();
    String from = r.getNode();
    long silentMs = (s.seenNow() - lease.seenNanos()) / 1_000_000;
    Optional<String> to = target(s, settings, r, from, "");
    Change.Builder change = new Change.Builder().add(new Write.Check(ZkPaths.lease(from), lease.version()));
    AddressRecord.Builder next = r.toBuilder().setNode(to.orElse("")).setEpoch(c.epoch()).clearTickles()
        .addAllTickles(connections(lease.value(), r.getAddress()));
    if (to.isPresent()) {
      next.setFailover(Failover.newBuilder().setFromNode(from).setLastRenewalMillis(c.wallMillis() - silentMs)
          .setDetectedMillis(c.wallMillis()).setReassignedMillis(c.wallMillis())
          .setReason("lease of " + from + " expired (" + silentMs + " ms without a renewal)"));
    } else {
      next.clearFailover();
    }
    change.add(new Write.Update(ZkPaths.address(r.getAddress()), next.build(), tracked.version()));
    int moved = to.isPresent() ? movePlacements(s, c, r.getAddress(), to.get(), change) : 0;
    String what = to.map(n -> "lease of " + from + " expired after " + silentMs + " ms without a renewal; moving to " + n
        + " with " + moved + " share(s)").orElse("lease of " + from + " expired; no other node can take it: "
        + why(s, settings, r, from));
    change.event(to.isPresent() ? "address.failover.started" : "address.down", "address/" + r.getAddress(), what);
    if (to.isPresent()) {
      change.moved("failover", moved);
    }
    return change.reply("address " + r.getAddress() + ": " + what);
  }

  /** Records the finished failover once the new holder reports the address serving. */
  private static Change<String> finishFailover(Tracked<AddressRecord> tracked, LeaseRecord lease) {
    AddressRecord r = tracked.value();
    Optional<HeldAddress> held = lease.getHeldList().stream()
        .filter(h -> Addresses.same(h.getAddress(), r.getAddress()) && h.getServingAtMillis() > 0).findFirst();
    if (held.isEmpty()) {
      return Change.none("");
    }
    Failover f = r.getFailover();
    long base = f.getLastRenewalMillis();
    Map<String, Double> phases = new LinkedHashMap<>();
    phases.put("detected", (f.getDetectedMillis() - base) / 1000.0);
    phases.put("reassigned", (f.getReassignedMillis() - base) / 1000.0);
    phases.put("address_up", (held.get().getUpAtMillis() - base) / 1000.0);
    phases.put("serving", (held.get().getServingAtMillis() - base) / 1000.0);
    StringBuilder msg = new StringBuilder("from " + f.getFromNode() + " to " + r.getNode() + ", seconds after the last renewal:");
    phases.forEach((k, v) -> msg.append(' ').append(k).append(' ').append(String.format(java.util.Locale.ROOT, "%.3f", v)));
    Change.Builder change = new Change.Builder()
        .add(new Write.Update(ZkPaths.address(r.getAddress()), r.toBuilder().clearFailover().build(), tracked.version()))
        .event("address.failover", "address/" + r.getAddress(), msg.toString()).failover(phases);
    return change.reply("");
  }

  /** Gives the address (and its shares) to {@code preferred} if it fits, else the best fit node. */
  private static Change<String> assign(Snapshot s, Context c, LeaseSettings settings, Tracked<AddressRecord> tracked,
      String from, String preferred, Tracked<LeaseRecord> fromLease, String cause) {
    AddressRecord r = tracked.value();
    Optional<String> to = target(s, settings, r, "", preferred);
    if (to.isEmpty()) {
      // stays released or unassigned; the next look tries again
      return Change.none(from.isEmpty() ? "" : "address " + r.getAddress() + ": released by " + from
          + " but no node can take it: " + why(s, settings, r, from));
    }
    AddressRecord.Builder next = r.toBuilder().setNode(to.get()).clearReleasingFrom().clearMovingTo().setEpoch(c.epoch());
    if (fromLease != null) {
      next.clearTickles().addAllTickles(connections(fromLease.value(), r.getAddress()));
    }
    Change.Builder change = new Change.Builder()
        .add(new Write.Update(ZkPaths.address(r.getAddress()), next.build(), tracked.version()));
    int moved = movePlacements(s, c, r.getAddress(), to.get(), change);
    change.moved(cause, moved);
    change.event("address.moved", "address/" + r.getAddress(),
        (from.isEmpty() ? "assigned" : "released by " + from + ",") + " now on " + to.get() + " with " + moved + " share(s)");
    return change.reply("");
  }

  private static List<TcpConnection> connections(LeaseRecord lease, String address) {
    String host = Addresses.host(address);
    return lease.getConnectionsList().stream().filter(t -> {
      int colon = t.getServer().lastIndexOf(':');
      return colon > 0 && t.getServer().substring(0, colon).equalsIgnoreCase(host);
    }).toList();
  }

  /** Adds the placement writes that put every share bound to the address on {@code node}. */
  private static int movePlacements(Snapshot s, Context c, String address, String node, Change.Builder change) {
    int moved = 0;
    for (ShareSpec spec : Binding.bound(s, address)) {
      Optional<Write> w = Placing.placementWrite(s, c, spec.getName(), node);
      if (w.isPresent()) {
        change.add(w.get());
        moved++;
      }
    }
    return moved;
  }

  /**
   * Nodes that may take an address: connected, not in maintenance, and renewing their lease right
   * now (a node that has not renewed lately would take it only to lose it).
   */
  static List<Candidate> fitNodes(Snapshot s, LeaseSettings settings, String exclude) {
    List<Candidate> out = new ArrayList<>();
    for (Versioned<NodeRecord> v : s.nodes().values()) {
      String name = v.value().getName();
      LiveNode live = s.live().get(name);
      Tracked<LeaseRecord> lease = s.leases().get(name);
      boolean fresh = lease != null && settings.fresh(lease.seenNanos(), s.seenNow());
      if (!name.equals(exclude) && live != null && fresh && !v.value().getMaintenance()) {
        out.add(new Candidate(name, true, false, live.getInventory().getStoragesList()));
      }
    }
    return out;
  }

  private static Optional<String> target(Snapshot s, LeaseSettings settings, AddressRecord r, String exclude,
      String preferred) {
    List<Candidate> fit = fitNodes(s, settings, exclude);
    if (fit.isEmpty()) {
      return Optional.empty();
    }
    List<ShareSpec> group = Binding.bound(s, r.getAddress());
    Optional<Candidate> pref = fit.stream().filter(n -> n.name().equals(preferred)).findFirst();
    if (group.isEmpty()) {
      return pref.map(Candidate::name).or(() -> Placing.leastAddresses(s, fit));
    }
    if (group.stream().anyMatch(x -> Binding.nodeLocal(s, x) != null)) {
      return Optional.empty(); // node-local data (or storage no node offers): the address stays with it
    }
    Optional<String> chosen = placeGroup(s, group, pref.isPresent() ? List.of(pref.get()) : fit);
    return chosen.isEmpty() && pref.isPresent() ? placeGroup(s, group, fit) : chosen;
  }

  /** The node placement picks for the group, counting every other share where it is. */
  private static Optional<String> placeGroup(Snapshot s, List<ShareSpec> group, List<Candidate> candidates) {
    List<ShareSpec> all = new ArrayList<>(group);
    Map<String, String> current = new HashMap<>();
    s.shares().values().stream().map(Versioned::value).filter(x -> !group.contains(x)).forEach(x -> {
      all.add(x);
      s.placement(x.getName()).ifPresent(n -> current.put(x.getName(), n));
    });
    return Optional.ofNullable(Placing.place(all, current, candidates).placed().get(group.get(0).getName()));
  }

  private static String why(Snapshot s, LeaseSettings settings, AddressRecord r, String from) {
    for (ShareSpec x : Binding.bound(s, r.getAddress())) {
      String local = Binding.nodeLocal(s, x);
      if (local != null) {
        return "share '" + x.getName() + "' cannot leave its node: " + local;
      }
    }
    return fitNodes(s, settings, from).isEmpty() ? "no other node is connected, renewing its lease and out of maintenance"
        : "no connected node offers the storage of its shares";
  }
}
