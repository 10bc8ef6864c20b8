package org.smbgw.coordinator.decide;

import java.util.List;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.Removal;

/**
 * Records of deliberate removals (DESIGN 2): written with a delete, so that every node's desired
 * state names it as an intent and no agent takes the absence for a loss; dropped (with any
 * confirmation of its loss) when the name is created again, so that a later loss of the new object
 * is braked again.
 */
final class Removals {
  private Removals() {}

  /** Adds the record that {@code subject} ("share/NAME", "user/NAME") is removed on purpose. */
  static void record(Snapshot s, String subject, Change.Builder change) {
    Removal r = Removal.newBuilder().setSubject(subject).setGeneration(s.nextGeneration()).build();
    Versioned<Removal> existing = s.removed().get(ZkPaths.removedKey(subject));
    change.add(existing == null ? new Write.Create(ZkPaths.removed(subject), r)
        : new Write.Update(ZkPaths.removed(subject), r, existing.version()));
  }

  /**
   * Adds the deletion of {@code subject}'s removal record and of any confirmation of its loss not
   * carried out yet: the object made again under that name is braked afresh.
   */
  static void forget(Snapshot s, String subject, Change.Builder change) {
    Versioned<Removal> existing = s.removed().get(ZkPaths.removedKey(subject));
    if (existing != null) {
      change.add(new Write.Delete(ZkPaths.removed(subject), existing.version()));
    }
    for (Versioned<NodeRecord> n : s.nodes().values()) {
      String path = ZkPaths.node(n.value().getName());
      // Two names confirmed on one node, made again in one apply: one write of the node, both gone.
      NodeRecord now = change.pending(path).map(NodeRecord.class::cast).orElse(n.value());
      if (now.getConfirmedRemovalsList().contains(subject)) {
        List<String> left = now.getConfirmedRemovalsList().stream().filter(x -> !x.equals(subject)).toList();
        change.replace(new Write.Update(path, now.toBuilder().clearConfirmedRemovals().addAllConfirmedRemovals(left).build(),
            n.version()));
      }
    }
  }
}
