package org.smbgw.coordinator.decide;

import java.util.Collection;
import java.util.List;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Removal;
import org.smbgw.proto.v1.UserSpec;

/**
 * The leader's clearing up, pure: pending purges a node reports done, removal records every node
 * has seen, confirmations carried out, RIDs for users added before RIDs existed, and events beyond
 * those kept.
 */
public final class Housekeeping {
  private Housekeeping() {}

  /** @param eventsToTrim positions of the events beyond those kept, oldest first */
  public static Change<Integer> decide(Snapshot s, Collection<Long> eventsToTrim) {
    Change.Builder change = new Change.Builder();
    for (PendingPurge p : s.purges().values()) {
      LiveNode live = s.live().get(p.getNode());
      // Only a pass that worked from a desired state carrying this purge can show it done; a
      // failing share elsewhere on the node does not hold it up.
      if (live != null && live.getObserved().getPassGeneration() >= p.getGeneration()
          && live.getObserved().getPurgedSharesList().contains(p.getShare())) {
        change.add(new Write.Delete(ZkPaths.purge(p.getShare()), -1));
      }
    }
    // A removal record is needed while some node may still have accepted a state that held the
    // removed object: until every known node passed a state carrying the intent.
    for (Versioned<Removal> r : s.removed().values()) {
      if (s.nodes().keySet().stream().allMatch(n -> passedIn(s, n, r.value().getGeneration()))) {
        change.add(new Write.Delete(ZkPaths.removed(r.value().getSubject()), r.version()));
      }
    }
    // A confirmation is done once its node passed a state that carried it.
    for (Versioned<NodeRecord> n : s.nodes().values()) {
      NodeRecord r = n.value();
      if ((r.getConfirmedRemovalsCount() > 0 || r.getAdopt()) && passedIn(s, r.getName(), r.getConfirmedGeneration())) {
        change.add(new Write.Update(ZkPaths.node(r.getName()), r.toBuilder().clearConfirmedRemovals().setAdopt(false).build(),
            n.version()));
      }
    }
    // Users added before RIDs existed get theirs. One withheld for a hash that does not open is
    // left until its password is set again (writing it would seal an empty hash).
    List<Versioned<UserSpec>> without = s.rids().version() < 0 ? List.of() : s.users().values().stream()
        .filter(u -> u.value().getRid() == 0 && !u.value().getNtHash().isEmpty()).toList();
    List<UserSpec> given = Rids.give(s, without.stream().map(Versioned::value).toList(), change);
    for (int i = 0; i < given.size(); i++) {
      change.add(new Write.Update(ZkPaths.user(given.get(i).getName()), given.get(i), without.get(i).version()));
    }
    eventsToTrim.forEach(seq -> change.add(new Write.Delete(ZkPaths.event(seq), -1)));
    return change.reply(change.writes().size());
  }

  /** Whether the node reported a pass, in this cluster, from a state at or past {@code generation}. */
  private static boolean passedIn(Snapshot s, String node, long generation) {
    LiveNode live = s.live().get(node);
    return live != null && live.getObserved().getCluster().equals(s.cluster())
        && live.getObserved().getPassGeneration() >= generation;
  }
}
