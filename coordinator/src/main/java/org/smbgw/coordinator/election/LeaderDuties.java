package org.smbgw.coordinator.election;

import java.util.ArrayList;
import java.util.List;
import org.smbgw.coordinator.decide.Change;
import org.smbgw.coordinator.decide.Housekeeping;
import org.smbgw.coordinator.ha.HaListener;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.write.ChangeWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Work only the leader does in the background, on its own thread, while it leads: recording its
 * election as an event, and {@link Housekeeping} (clearing purges, removals and confirmations
 * carried out, trimming the event log to the newest {@value #EVENTS_KEPT}) through the one writer.
 */
public final class LeaderDuties extends LeaderWorker {
  private static final Logger log = LoggerFactory.getLogger(LeaderDuties.class);
  /** Events kept in ZooKeeper; older ones are trimmed by the leader. */
  static final int EVENTS_KEPT = 1000;

  private final ClusterView view;
  private final ChangeWriter writer;
  private final String id;
  private final HaListener listener;

  /** @param listener told of each failed write ({@code election}, {@code housekeeping}): the metrics */
  public LeaderDuties(ClusterView view, ChangeWriter writer, String id, HaListener listener) {
    super("smbgw-leader", 0);
    this.listener = listener;
    this.view = view;
    this.writer = writer;
    this.id = id;
    view.onChange(this::trigger);
  }

  @Override
  protected void onElected(Term t) {
    try {
      writer.run(t, (s, c) -> new Change.Builder().event("leader.elected", "coordinator/" + id,
          "leads with epoch " + t.epoch()).reply(""));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // deposed already
    } catch (Exception e) {
      if (leading(t)) { // a deposed leader's write is meant to fail
        listener.dutyFailed("election");
        log.warn("cannot record the election: {}", e.toString());
      }
    }
  }

  /** The oldest events beyond those kept, as the view shows them now. */
  private List<Long> trimmable() {
    List<Long> trim = new ArrayList<>();
    int excess = view.events().size() - EVENTS_KEPT;
    for (Long seq : view.events().keySet()) {
      if (excess-- <= 0) {
        break;
      }
      trim.add(seq);
    }
    return trim;
  }

  @Override
  protected void run(Term t) {
    try {
      // Looked at again with each decision: one made again after the view caught up trims what it shows then.
      writer.serial(t, java.time.Duration.ofSeconds(30), (s, c) -> Housekeeping.decide(s, trimmable()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // deposed
    } catch (Exception e) {
      if (leading(t)) {
        listener.dutyFailed("housekeeping");
        log.warn("clearing finished purges, removals and confirmations failed: {}", e.toString());
      }
    }
  }
}
