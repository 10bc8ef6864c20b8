package org.smbgw.coordinator.election;

import java.util.ArrayList;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.LiveNode;
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
      log.warn("clearing finished purges failed: {}", e.toString());
    }
  }

}
