package org.smbgw.coordinator.decide;

import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.Removal;
import org.smbgw.proto.v1.RidCounter;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.TokenRecord;
import org.smbgw.proto.v1.UserSpec;

/**
 * The cluster as one decision sees it: immutable, sorted, and tagged with the desired-state
 * generation it reflects. Taken from the view by reading the generation first and the maps after:
 * the cache applies ZooKeeper's changes in order, so the maps show generation {@code generation}
 * or a later one, and a write fenced on {@code generation} fails whenever they showed anything
 * newer. After a reconnect the cache re-reads everything in no set order, and that argument holds
 * again only once the view is {@link ClusterView#settled()}: the writer decides nothing before. Lease renewals never change the generation (DESIGN 2 and 4); the times a lease decision
 * needs come with it.
 *
 * @param seenNow the replica's ticker when taken (what {@link Tracked#seenNanos} is stamped on)
 * @param heardNow its listening clock when taken (what {@link Tracked#heardNanos} is stamped on)
 * @param rids the last RID given to a user, with the version of its znode
 */
public record Snapshot(long generation, String cluster,
    SortedMap<String, Versioned<ShareSpec>> shares, SortedMap<String, Versioned<Placement>> placements,
    SortedMap<String, Versioned<NodeRecord>> nodes, SortedMap<String, LiveNode> live,
    SortedMap<String, Tracked<AddressRecord>> addresses, SortedMap<String, Tracked<LeaseRecord>> leases,
    SortedMap<String, Versioned<UserSpec>> users, SortedMap<String, Versioned<TokenRecord>> tokens,
    SortedMap<String, PendingPurge> purges,
    SortedMap<String, Versioned<Removal>> removed, Versioned<RidCounter> rids, long seenNow, long heardNow) {

  public Snapshot {
    shares = frozen(shares);
    placements = frozen(placements);
    nodes = frozen(nodes);
    live = frozen(live);
    addresses = frozen(addresses);
    leases = frozen(leases);
    users = frozen(users);
    tokens = frozen(tokens);
    purges = frozen(purges);
    removed = frozen(removed);
  }

  /** The view as it is now; see the class comment for why the generation is read first. */
  public static Snapshot of(ClusterView view) {
    long generation = view.generation();
    return new Snapshot(generation, view.cluster(), sorted(view.shares()), sorted(view.placements()),
        sorted(view.nodes()), sorted(view.live()), sorted(view.addresses()), sorted(view.leases()),
        sorted(view.users()), sorted(view.tokens()), sorted(view.purges()), sorted(view.removed()), view.rids(), view.now(),
        view.heard());
  }

  /** A copy, made once: the constructor keeps maps built here as they are. */
  private static <V> SortedMap<String, V> sorted(Map<String, V> m) {
    return Collections.unmodifiableSortedMap(new TreeMap<>(m));
  }

  /**
   * The class of the maps a snapshot holds: one made here from another's maps, or by {@link
   * #sorted}, shares them (nothing else wraps a map it keeps changing).
   */
  private static final Class<?> FROZEN = Collections.unmodifiableSortedMap(new TreeMap<>()).getClass();

  @SuppressWarnings("unchecked")
  private static <V> SortedMap<String, V> frozen(Map<String, V> m) {
    return m.getClass() == FROZEN ? (SortedMap<String, V>) m : Collections.unmodifiableSortedMap(new TreeMap<>(m));
  }

  /** The same state at other times (nothing copied): what a look at an unchanged view gives. */
  public Snapshot at(Map<String, Tracked<LeaseRecord>> leasesNow, long seenNow, long heardNow) {
    return new Snapshot(generation, cluster, shares, placements, nodes, live, addresses, sorted(leasesNow), users, tokens, purges,
        removed, rids, seenNow, heardNow);
  }

  /** The generation a write decided on this snapshot makes (the fence lets it land on no other). */
  public long nextGeneration() {
    return generation + 1;
  }

  public Optional<Versioned<ShareSpec>> share(String name) {
    return Optional.ofNullable(shares.get(ZkPaths.shareKey(name)));
  }

  public Optional<String> placement(String share) {
    return Optional.ofNullable(placements.get(ZkPaths.shareKey(share))).map(v -> v.value().getNode());
  }

  public Optional<Tracked<AddressRecord>> address(String cidr) {
    return Optional.ofNullable(addresses.get(ZkPaths.addressKey(cidr)));
  }

  public boolean purging(String share) {
    return purges.containsKey(ZkPaths.shareKey(share));
  }
}
