package org.smbgw.agent.control;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.smbgw.common.Names;
import org.smbgw.common.ShareConflicts;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * The brake on removals (DESIGN 2): what a node serves goes away only when the coordinator says it
 * means it. A share or account that the state the node accepted last has, and a new state lacks
 * without naming it among its removals, is a loss (a znode deleted by hand, ZooKeeper rebuilt from
 * nothing): the node keeps it, with its last spec, and reports it until an administrator confirms.
 * A state from another cluster is refused unless adoption was confirmed; an older generation of
 * this cluster (a lagging replica) is ignored. A share or account the agent refused in the new
 * state (invalid here) keeps its last valid spec. Floating addresses are not braked: they follow
 * leases. A pure function of the two states.
 */
public final class RemovalBrake {
  private RemovalBrake() {}

  /**
   * @param state what to work towards: the incoming state with the losses kept ({@code kept}
   *     names them), or the accepted one when the incoming one is not taken
   * @param refused why the incoming state was not taken, if it was not
   */
  public record Verdict(NodeDesiredState state, Optional<String> refused) {}

  /** @param accepted the state taken last (with what it kept), or null when there is none yet */
  public static Verdict decide(NodeDesiredState accepted, NodeDesiredState incoming) {
    if (accepted == null) {
      return new Verdict(incoming.toBuilder().clearKept().build(), Optional.empty());
    }
    boolean foreign = !accepted.getCluster().isEmpty() && !accepted.getCluster().equals(incoming.getCluster());
    // Accepted shares (by Samba's name key) and users the incoming state refused, and those it has
    // or means to remove; any other accepted one is a loss.
    Set<String> refusedShares = named(incoming.getRefusedMap().keySet(), "share/", Names::uniquenessKey);
    Set<String> refusedUsers = named(incoming.getRefusedMap().keySet(), "user/", n -> n);
    Set<String> accountedShares = named(incoming.getRemovalsList(), "share/", Names::uniquenessKey);
    incoming.getSharesList().forEach(x -> accountedShares.add(Names.uniquenessKey(x.getName())));
    incoming.getPurgeSharesList().forEach(n -> accountedShares.add(Names.uniquenessKey(n)));
    accountedShares.addAll(refusedShares);
    Set<String> accountedUsers = named(incoming.getRemovalsList(), "user/", n -> n);
    incoming.getUsersList().forEach(u -> accountedUsers.add(u.getName()));
    accountedUsers.addAll(refusedUsers);
    List<ShareSpec> lostShares = accepted.getSharesList().stream()
        .filter(x -> !accountedShares.contains(Names.uniquenessKey(x.getName()))).toList();
    List<UserSpec> lostUsers = accepted.getUsersList().stream().filter(u -> !accountedUsers.contains(u.getName())).toList();
    List<String> losses = new ArrayList<>();
    lostShares.forEach(s -> losses.add("share/" + s.getName()));
    lostUsers.forEach(u -> losses.add("user/" + u.getName()));
    if (foreign && !incoming.getAdopt()) {
      return new Verdict(accepted.toBuilder().clearKept().addAllKept(losses).build(), Optional.of(
          "a desired state of cluster " + quoted(incoming.getCluster()) + " was refused: this node belongs to cluster "
              + quoted(accepted.getCluster()) + " and keeps serving its state (smbgw node confirm-removal "
              + accepted.getNode() + " lets it join; what the new cluster lacks is then kept until confirmed too)"));
    }
    if (!foreign && incoming.getGeneration() < accepted.getGeneration()) {
      // A lagging replica's view (the next push is newer); if it lasts, ZooKeeper went back in time.
      return new Verdict(accepted, Optional.of("ignoring desired state generation " + incoming.getGeneration()
          + ": generation " + accepted.getGeneration() + " was accepted already (a lagging replica, or ZooKeeper "
          + "restored from an older copy)"));
    }
    // What stays served with its last spec wins over a new share it clashes with (same name
    // ignoring case, same or nested directory): that one is left out with the reason.
    List<ShareSpec> served = new ArrayList<>(lostShares);
    accepted.getSharesList().stream().filter(x -> refusedShares.contains(Names.uniquenessKey(x.getName())))
        .forEach(served::add);
    NodeDesiredState.Builder next = incoming.toBuilder().clearKept().clearShares();
    ShareConflicts.Among kept = new ShareConflicts.Among(served);
    for (ShareSpec s : incoming.getSharesList()) {
      List<Violation> clash = kept.conflicts("Share/" + s.getName() + ": spec", s, "share this node keeps serving");
      if (clash.isEmpty()) {
        next.addShares(s);
      } else {
        next.putRefused("share/" + s.getName(), String.join("; ", clash.stream().map(Violation::toString).toList()));
      }
    }
    next.addAllShares(served).addAllUsers(lostUsers).addAllKept(losses);
    accepted.getUsersList().stream().filter(u -> refusedUsers.contains(u.getName())).forEach(next::addUsers);
    return new Verdict(next.build(), Optional.empty());
  }

  /** The names of the subjects ("share/NAME", "user/NAME") of one kind, as {@code key} maps them. */
  private static Set<String> named(java.util.Collection<String> subjects, String kind,
      java.util.function.UnaryOperator<String> key) {
    Set<String> out = new HashSet<>();
    subjects.stream().filter(x -> x.startsWith(kind)).forEach(x -> out.add(key.apply(x.substring(kind.length()))));
    return out;
  }

  private static String quoted(String cluster) {
    return cluster.isEmpty() ? "(none)" : cluster;
  }
}
