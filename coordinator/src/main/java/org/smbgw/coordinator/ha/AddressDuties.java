package org.smbgw.coordinator.ha;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.smbgw.coordinator.decide.Change;
import org.smbgw.coordinator.decide.LeaseDecisions;
import org.smbgw.coordinator.election.LeaderWorker;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StoreException;
import org.smbgw.coordinator.write.ChangeWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's floating-address duties, every {@value #TICK_MS} ms and on every change: for each
 * address, {@link LeaseDecisions#step} decides (failover, planned acquire, assignment, recording a
 * finished failover) and the {@link ChangeWriter} writes. A failed write is counted and logged at
 * WARN with its cause (once per distinct cause), and tried again on the next tick; a deposed
 * leader's run is interrupted.
 */
public final class AddressDuties extends LeaderWorker {
  private static final Logger log = LoggerFactory.getLogger(AddressDuties.class);
  static final long TICK_MS = 50;

  private final ClusterView view;
  private final ChangeWriter writer;
  private final LeaseSettings settings;
  private final HaListener listener;

  public AddressDuties(ClusterView view, ChangeWriter writer, LeaseSettings settings, HaListener listener) {
    super("smbgw-addresses", TICK_MS);
    this.view = view;
    this.writer = writer;
    this.settings = settings;
    this.listener = listener;
    view.onChange(this::trigger);
    view.onLease(node -> trigger());
  }

  @Override
  protected void run(Term t) {
    List<String> addresses = List.copyOf(view.addresses().keySet());
    told.keySet().retainAll(addresses);
    failing.keySet().retainAll(addresses);
    for (String address : addresses) {
      if (!leading(t)) {
        return; // deposed: the new leader decides from here
      }
      try {
        Change<String> done = writer.run(t, (s, c) -> LeaseDecisions.step(s, c, settings, address));
        String said = done.reply();
        // A failover is news each time; "no node can take it" only when it first or newly says so.
        if (!said.isEmpty() && (!done.writesNothing() || !said.equals(told.put(address, said)))) {
          log.warn("{}", said);
        } else if (said.isEmpty()) {
          told.remove(address);
        }
        failing.remove(address);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        return; // deposed while waiting
      } catch (Exception ex) {
        told.remove(address);
        failed(address, t, ex);
      }
    }
  }

  /** Per address, what a decision that wrote nothing last said at WARN. Worker thread only. */
  private final Map<String, String> told = new HashMap<>();

  /** Per address, the last failure logged at WARN (the same one again every tick is not news). Worker thread only. */
  private final Map<String, String> failing = new HashMap<>();

  private void failed(String address, Term t, Exception ex) {
    if (!leading(t)) {
      log.debug("address {}: interrupted by the end of term {}: {}", address, t.epoch(), ex.toString());
      return;
    }
    if (ex instanceof StoreException se && se.kind() == StoreException.Kind.CONFLICT) {
      // A renewal recorded since the decision (the lease check): the next tick decides again.
      log.debug("address {}: {}", address, ex.getMessage());
      return;
    }
    // ZooKeeper away, or a bug: counted every time, logged when it changes.
    listener.dutyFailed("address");
    String why = ex.toString();
    if (!why.equals(failing.put(address, why))) {
      log.warn("address {}: its duty failed; tried again every {} ms: {}", address, TICK_MS, why);
    }
  }
}
