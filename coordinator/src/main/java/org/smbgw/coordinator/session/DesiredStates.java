package org.smbgw.coordinator.session;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * A node's complete desired state, computed from the view and the node's own record as its stream
 * gave it to the pushing replica (its storages).
 */
public final class DesiredStates {
  private DesiredStates() {}

  /**
   * @param self the node as its own stream describes it to the replica that pushes (its storages),
   *     not as the view's live record does: that record reaches the view only after the hello's
   *     first push, and is gone for a while when the replica's ZooKeeper session expired (until
   *     the replica puts it back); a node without one looks as if it could take over nothing, so
   *     the accounts of the shares it stands by for would be removed from it
   */
  public static NodeDesiredState forNode(ClusterView view, String node, org.smbgw.proto.v1.LiveNode self) {
    NodeDesiredState.Builder b = NodeDesiredState.newBuilder().setNode(node)
        .setGeneration(view.generation()).setEpoch(view.epoch());
    view.shares().values().stream().map(Versioned::value)
        .filter(s -> view.placement(s.getName()).map(node::equals).orElse(false))
        .sorted(Comparator.comparing(ShareSpec::getName))
        .forEach(b::addShares);
    // NT hashes are password equivalents: a node gets only the accounts of the shares it serves
    // or may take over (DESIGN 6).
    Optional<Set<String>> needed = accountsNeeded(servedBy(view, node, self));
    view.users().values().stream().map(Versioned::value).sorted(Comparator.comparing(UserSpec::getName))
        .filter(u -> needed.map(n -> n.contains(u.getName())).orElse(true))
        .forEach(b::addUsers);
    // Addresses granted to the node: a hint for what to get ready; only lease grants let it hold one.
    view.addresses().values().stream().map(t -> t.value()).filter(a -> a.getNode().equals(node))
        .sorted(Comparator.comparing(org.smbgw.proto.v1.AddressRecord::getAddress))
        .forEach(a -> b.addAddresses(org.smbgw.proto.v1.AddressAssignment.newBuilder().setAddress(a.getAddress())
            .setInterface(a.getInterface())));
    view.purges().values().stream().filter(p -> p.getNode().equals(node)).map(p -> p.getShare()).sorted()
        .forEach(b::addPurgeShares);
    b.setCluster(view.cluster()).addAllRemovals(removals(view, node, self));
    Versioned<NodeRecord> record = view.nodes().get(node);
    b.setAdopt(record != null && record.value().getAdopt());
    return b.build();
  }

  /**
   * The shares {@code node} serves or may have to serve: those placed on it, and those on shared
   * storage it offers, which a failover or a drain may move to it at once (their accounts must be
   * there before the address is, or clients are refused until a pass adds them).
   */
  static List<ShareSpec> servedBy(ClusterView view, String node, org.smbgw.proto.v1.LiveNode live) {
    Candidate self = new Candidate(node, true, false, live.getInventory().getStoragesList());
    return view.shares().values().stream().map(Versioned::value)
        .filter(s -> view.placement(s.getName()).map(node::equals).orElse(false) || Placer.movable(s, self))
        .toList();
  }

  /**
   * What {@link #servedBy} gives, and the shares with no placement at all. Their accounts are
   * sent to no node (a share is briefly unplaced between its creation and its placement, and its
   * hashes must not reach every node meanwhile), but they are not removed either: a node that
   * served a share whose placement znode was lost keeps its accounts, as losses.
   */
  static List<ShareSpec> mayKeep(ClusterView view, String node, org.smbgw.proto.v1.LiveNode self) {
    List<ShareSpec> out = new java.util.ArrayList<>(servedBy(view, node, self));
    view.shares().values().stream().map(Versioned::value).filter(s -> view.placement(s.getName()).isEmpty())
        .forEach(out::add);
    return out;
  }

  /**
   * The accounts a node serving {@code shares} needs: every user a share names as reader, writer
   * or administrator. Empty (meaning all accounts) when a share admits a Unix group: who is in a
   * group is the node's business, not the coordinator's. None for a node without shares.
   */
  static Optional<Set<String>> accountsNeeded(Collection<ShareSpec> shares) {
    Set<String> users = new TreeSet<>(String.CASE_INSENSITIVE_ORDER); // Samba's user names ignore case
    for (ShareSpec s : shares) {
      for (org.smbgw.proto.v1.Access a : List.of(s.getRead(), s.getWrite(), s.getAdmin())) {
        if (a.getGroupsCount() > 0) {
          return Optional.empty();
        }
        users.addAll(a.getUsersList());
      }
    }
    return Optional.of(users);
  }

  /**
   * What the coordinator means to take off the node (DESIGN 2): shares of the cluster placed on
   * another node, shares and users deleted on purpose, accounts its shares no longer need, and
   * losses an administrator confirmed. Anything else the node served and this state lacks is a
   * loss to the agent.
   */
  static List<String> removals(ClusterView view, String node, org.smbgw.proto.v1.LiveNode self) {
    java.util.TreeSet<String> out = new java.util.TreeSet<>();
    // Placed on another node: moved or drained away. A share with no placement at all is not an
    // intent (its placement znode may have been lost): the node keeps it until it is placed.
    view.shares().values().stream().map(Versioned::value)
        .filter(s -> view.placement(s.getName()).map(n -> !n.equals(node)).orElse(false))
        .forEach(s -> out.add("share/" + s.getName()));
    view.removed().values().forEach(r -> out.add(r.value().getSubject()));
    accountsNeeded(mayKeep(view, node, self)).ifPresent(needed -> view.users().keySet().stream()
        .filter(u -> !needed.contains(u)).forEach(u -> out.add("user/" + u)));
    Versioned<NodeRecord> record = view.nodes().get(node);
    if (record != null) {
      out.addAll(record.value().getConfirmedRemovalsList());
    }
    return List.copyOf(out);
  }

  /** For comparing content: the same state at another generation is no news. */
  public static NodeDesiredState content(NodeDesiredState d) {
    return d.toBuilder().clearGeneration().build();
  }
}
