package org.smbgw.coordinator.state;

import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.proto.v1.Removal;

/**
 * Records of deliberate removals (DESIGN 2): written with a delete, so that every node's desired
 * state names it as an intent and no agent takes the absence for a loss; dropped when the name is
 * created again, so that a later loss of the new object is braked again.
 */
public final class Removals {
  private Removals() {}

  /** Adds to {@code ops} the record that {@code subject} ("share/NAME", "user/NAME") is removed on purpose. */
  public static void record(ClusterView view, StateStore store, String subject, List<CuratorOp> ops) throws Exception {
    Removal r = Removal.newBuilder().setSubject(subject).setGeneration(view.generation() + 1).build();
    Versioned<Removal> existing = view.removed().get(ZkPaths.removedKey(subject));
    ops.add(existing == null ? store.create(ZkPaths.removed(subject), r)
        : store.set(ZkPaths.removed(subject), r, existing.version()));
  }

  /** Adds to {@code ops} the deletion of {@code subject}'s removal record, if there is one. */
  public static void forget(ClusterView view, StateStore store, String subject, List<CuratorOp> ops) throws Exception {
    Versioned<Removal> existing = view.removed().get(ZkPaths.removedKey(subject));
    if (existing != null) {
      ops.add(store.delete(ZkPaths.removed(subject), existing.version()));
    }
  }
}
