package org.smbgw.coordinator.election;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeRecord;
import org.smbgw.proto.v1.PendingPurge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work only the leader does in the background, on its own thread, while it leads: recording its
 * election as an event, trimming the event log to the newest {@value #EVENTS_KEPT}, and clearing
 * pending purges once the node reports them done from a pass whose desired state carried them.
 */
public final class LeaderDuties extends LeaderWorker {
  private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);
  private final ClusterView view;
  private final StateStore store;

  public LeaderDuties(ClusterView view, StateStore store, String id) {
    super("smbgw-leader", 0);
    this.view = view;
    this.store = store;
    this.id = id;
    view.onChange(this::trigger);
  }

  /** Events kept in ZooKeeper; older ones are trimmed by the leader. */
  static final int EVENTS_KEPT = 1000;
  private final String id;

  @Override
  protected void onElected(Term t) {
    try {
      List<CuratorOp> ops = new ArrayList<>();
      ops.add(store.event(Event.newBuilder().setTimeMillis(System.currentTimeMillis()).setKind("leader.elected")
          .setSubject("coordinator/" + id).setMessage("leads with epoch " + t.epoch()).setEpoch(t.epoch()).build()));
      store.fenced(t, ops);
    } catch (Exception e) {
      log.warn("cannot record the election: {}", e.toString());
    }
  }

  /** Whether the node reported a pass, in this cluster, from a state at or past {@code generation}. */
  private boolean passedIn(String node, long generation) {
    LiveNode live = view.live().get(node);
    return live != null && live.getObserved().getCluster().equals(view.cluster())
        && live.getObserved().getPassGeneration() >= generation;
  }

  /**
   * A removal record is needed while some node may still have accepted a state that held the
   * removed object: until every known node passed a state carrying the intent.
   */
  private void forgetRemovalsEveryNodeHasSeen(List<CuratorOp> ops) throws Exception {
    for (var r : view.removed().values()) {
      if (view.nodes().keySet().stream().allMatch(n -> passedIn(n, r.value().getGeneration()))) {
        ops.add(store.delete(ZkPaths.removed(r.value().getSubject()), r.version()));
      }
    }
  }

  /** A confirmation is done once its node passed a state that carried it. */
  private void clearConfirmationsCarriedOut(List<CuratorOp> ops) throws Exception {
    for (var n : view.nodes().values()) {
      NodeRecord r = n.value();
      if ((r.getConfirmedRemovalsCount() > 0 || r.getAdopt()) && passedIn(r.getName(), r.getConfirmedGeneration())) {
        ops.add(store.set(ZkPaths.node(r.getName()), r.toBuilder().clearConfirmedRemovals().setAdopt(false).build(),
            n.version()));
      }
    }
  }

  @Override
  protected void run(Term t) {
    List<CuratorOp> ops = new ArrayList<>();
    try {
      for (PendingPurge p : view.purges().values()) {
        LiveNode live = view.live().get(p.getNode());
        // Only a pass that worked from a desired state carrying this purge can show it done; a
        // failing share elsewhere on the node does not hold it up.
        if (live != null && live.getObserved().getPassGeneration() >= p.getGeneration()
            && live.getObserved().getPurgedSharesList().contains(p.getShare())) {
          ops.add(store.delete(ZkPaths.purge(p.getShare()), -1));
        }
      }
      forgetRemovalsEveryNodeHasSeen(ops);
      clearConfirmationsCarriedOut(ops);
      int excess = view.events().size() - EVENTS_KEPT;
      for (Long seq : view.events().keySet()) {
        if (excess-- <= 0) {
          break;
        }
        ops.add(store.delete(ZkPaths.event(seq), -1));
      }
      if (!ops.isEmpty()) {
        store.fenced(t, ops);
      }
    } catch (Exception e) {
      log.warn("clearing finished purges, removals and confirmations failed: {}", e.toString());
    }
  }

}
