package org.smbgw.coordinator.session;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.QuotaLevel;
import org.smbgw.proto.v1.ShareStatus;

/**
 * The events an agent's report calls for, compared with its previous one: pure. Any replica
 * records them (they are no leader's decision); quota alerts are claimed once cluster-wide first.
 */
final class ReportEvents {
  private ReportEvents() {}

  /** Quota alert number {@code count} of a share, told once per node, share and number. */
  record Alert(String share, int count, Event event) {}

  /**
   * One alert per rise of a share's quota level, as the agent counts them, beyond {@code seen}
   * (the counts this session handled, by share).
   */
  static List<Alert> quotaAlerts(String node, NodeObservedState report, Map<String, Integer> seen, long nowMillis,
      long epoch) {
    List<Alert> out = new ArrayList<>();
    for (ShareStatus share : report.getSharesList()) {
      int count = share.getQuotaAlerts();
      if (count == 0 || seen.getOrDefault(share.getName(), 0) >= count) {
        continue;
      }
      boolean critical = share.getQuotaLevel() == QuotaLevel.QUOTA_LEVEL_CRITICAL;
      long percent = Math.round(100.0 * share.getUsedBytes() / Math.max(1, share.getQuotaBytes()));
      out.add(new Alert(share.getName(), count, event(nowMillis, epoch, critical ? "quota.critical" : "quota.warning",
          "share/" + share.getName(), percent + "% of its quota used on " + node + " (" + share.getUsedBytes() + " of "
          + share.getQuotaBytes() + " bytes)")));
    }
    return out;
  }

  /**
   * An event when a node starts keeping something as a loss, or refuses this cluster's state: an
   * administrator must look (DESIGN 2). Once per change of what the agent reports.
   */
  static Optional<Event> losses(String node, String cluster, NodeObservedState before, NodeObservedState now,
      long nowMillis, long epoch) {
    List<String> fresh = now.getLossesList().stream().filter(l -> !before.getLossesList().contains(l)).toList();
    boolean foreign = !now.getCluster().isEmpty() && !now.getCluster().equals(cluster)
        && !now.getCluster().equals(before.getCluster());
    if (fresh.isEmpty() && !foreign) {
      return Optional.empty();
    }
    String message = (foreign ? "belongs to cluster " + now.getCluster() + ", not this one (" + cluster
        + "), and refuses its state; " : "") + (now.getLossesCount() == 0 ? ""
        : "keeps serving " + String.join(", ", now.getLossesList()) + ": missing from its desired state without "
        + "an intent to remove them; ") + "smbgw node confirm-removal " + node + " lets them go";
    return Optional.of(event(nowMillis, epoch, "node.loss", "node/" + node, message));
  }

  /**
   * An event when a share's files were remounted because their mount had died (the agent says
   * when and what): once per new text. A replica that takes the session over says the last one
   * again, once.
   */
  static List<Event> remounts(String node, NodeObservedState before, NodeObservedState now, long nowMillis, long epoch) {
    Map<String, String> known = new HashMap<>();
    before.getSharesList().forEach(x -> known.put(x.getName(), x.getRemounted()));
    return now.getSharesList().stream()
        .filter(x -> !x.getRemounted().isEmpty() && !x.getRemounted().equals(known.get(x.getName())))
        .map(x -> event(nowMillis, epoch, "share.remounted", "share/" + x.getName(), "on " + node + " " + x.getRemounted()))
        .toList();
  }

  private static Event event(long nowMillis, long epoch, String kind, String subject, String message) {
    return Event.newBuilder().setTimeMillis(nowMillis).setKind(kind).setSubject(subject).setMessage(message)
        .setEpoch(epoch).build();
  }
}
