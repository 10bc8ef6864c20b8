package org.smbgw.coordinator.state;

import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.proto.v1.Removal;

/**
 * Records of deliberate removals (DESIGN 2): written with a delete, so that every node's desired
 * state names it as an intent and no agent takes the absence for a loss; dropped (with any
 * confirmation of its loss) when the name is created again, so that a later loss of the new object
 * is braked again.
 */
public final class Removals {
  private Removals() {}

  /** Adds to {@code ops} the record that {@code subject} ("share/NAME", "user/NAME") is removed on purpose. */
  public static void record(ClusterView view, StateStore store, String subject, List<CuratorOp> ops) throws Exception {
    Removal r = Removal.newBuilder().setSubject(subject).setGeneration(store.nextGeneration()).build();
    Versioned<Removal> existing = view.removed().get(ZkPaths.removedKey(subject));
    ops.add(existing == null ? store.create(ZkPaths.removed(subject), r)
        : store.set(ZkPaths.removed(subject), r, existing.version()));
  }

  /**
   * Adds to {@code ops} the deletion of {@code subject}'s removal record and of any confirmation
   * of its loss not carried out yet: the object made again under that name is braked afresh.
   */
  public static void forget(ClusterView view, StateStore store, String subject, List<CuratorOp> ops) throws Exception {
    Versioned<Removal> existing = view.removed().get(ZkPaths.removedKey(subject));
    if (existing != null) {
      ops.add(store.delete(ZkPaths.removed(subject), existing.version()));
    }
    for (Versioned<org.smbgw.proto.v1.NodeRecord> n : view.nodes().values()) {
      if (n.value().getConfirmedRemovalsList().contains(subject)) {
        List<String> left = n.value().getConfirmedRemovalsList().stream().filter(x -> !x.equals(subject)).toList();
        ops.add(store.set(ZkPaths.node(n.value().getName()),
            n.value().toBuilder().clearConfirmedRemovals().addAllConfirmedRemovals(left).build(), n.version()));
      }
    }
  }
}
