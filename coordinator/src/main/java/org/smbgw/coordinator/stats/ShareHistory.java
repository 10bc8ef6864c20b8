package org.smbgw.coordinator.stats;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSample;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;

/**
 * Recent samples per share: at most one per interval, kept for a window (by default one a minute
 * for 24 hours, 1,440 per share). Fed with every report any agent makes; every replica keeps its
 * own, so that whichever leads can answer. In memory only: it is a view of reports, never truth,
 * and starts empty on a new replica. Thread-safe.
 */
public final class ShareHistory {
  private final Clock clock;
  private final Duration interval;
  private final Duration window;
  private final Map<String, Deque<ShareSample>> samples = new ConcurrentHashMap<>();

  public ShareHistory(Clock clock, Duration interval, Duration window) {
    this.clock = clock;
    this.interval = interval;
    this.window = window;
  }

  /** Takes a sample of every active share in the report, unless one was taken within the interval. */
  public void record(NodeObservedState report) {
    long now = clock.millis();
    for (ShareStatus s : report.getSharesList()) {
      if (s.getState() != ShareState.SHARE_STATE_ACTIVE) {
        continue;
      }
      Deque<ShareSample> q = samples.computeIfAbsent(s.getName(), k -> new ArrayDeque<>());
      synchronized (q) {
        if (!q.isEmpty() && now - q.peekLast().getTimeMillis() < interval.toMillis()) {
          continue;
        }
        q.addLast(ShareSample.newBuilder().setTimeMillis(now).setSessions(s.getSessions())
            .setTreeConnects(s.getTreeConnects()).setOpenFiles(s.getOpenFiles())
            .setUsedBytes(s.getUsedBytes()).setQuotaBytes(s.getQuotaBytes())
            .setStorageReadBytes(s.getStorageReadBytes()).setStorageWrittenBytes(s.getStorageWrittenBytes()).build());
        while (!q.isEmpty() && now - q.peekFirst().getTimeMillis() > window.toMillis()) {
          q.removeFirst();
        }
      }
    }
  }

  /** Samples of {@code share} from the last {@code since} (all kept when null), oldest first. */
  public List<ShareSample> samples(String share, Duration since) {
    Deque<ShareSample> q = samples.get(share);
    if (q == null) {
      return List.of();
    }
    long from = since == null ? Long.MIN_VALUE : clock.millis() - since.toMillis();
    synchronized (q) {
      List<ShareSample> out = new ArrayList<>();
      q.forEach(x -> {
        if (x.getTimeMillis() >= from) {
          out.add(x);
        }
      });
      return out;
    }
  }

  /** Forgets a deleted share. */
  public void forget(String share) {
    samples.remove(share);
  }
}
