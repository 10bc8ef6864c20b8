package org.smbgw.coordinator.ha;

import java.util.Map;

/** Told of what the leader's duties do (metrics): its address duties, and failures of any of them. */
public interface HaListener {
  /** A share or address moved to another node; {@code cause} is failover, planned or placement. */
  void placementChanged(String cause, int shares);

  /** A failover finished; phases in seconds from the last renewal seen (detected, reassigned, up, serving). */
  void failover(Map<String, Double> phases);

  /**
   * A duty's write failed for another reason than a view that trailed ZooKeeper: {@code address},
   * {@code election} (recording the leader's election) or {@code housekeeping}.
   */
  default void dutyFailed(String duty) {}

  HaListener NONE = new HaListener() {
    @Override
    public void placementChanged(String cause, int shares) {}

    @Override
    public void failover(Map<String, Double> phases) {}
  };
}
