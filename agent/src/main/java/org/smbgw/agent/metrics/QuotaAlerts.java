package org.smbgw.agent.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.common.AtomicFile;
import org.smbgw.common.Trees;
import org.smbgw.proto.v1.QuotaLevel;

/**
 * Where each share's usage stands against its alert thresholds. A level rises as soon as usage
 * reaches a threshold and falls only once usage drops {@value #HYSTERESIS_POINTS} points below
 * it, so usage hovering at a threshold raises one alert, not one a pass. Each rise counts as one
 * alert and is logged once. Levels and counts are kept in a file, so a restarted agent does not
 * alert again for what it already reported. Used from the reconcile thread only.
 */
public final class QuotaAlerts {
  private static final Logger log = LoggerFactory.getLogger(QuotaAlerts.class);
  static final int HYSTERESIS_POINTS = 5;

  /** A share's standing: its level and how many times it rose. */
  public record Standing(QuotaLevel level, int alerts) {
    static final Standing OK = new Standing(QuotaLevel.QUOTA_LEVEL_OK, 0);
  }

  private final Path file;
  private final Map<String, Standing> standings = new HashMap<>();

  public QuotaAlerts(Path file) {
    this.file = file;
    try {
      if (Files.exists(file)) {
        Trees.map(Trees.PLAIN_JSON.anyFrom(file.toFile())).forEach((share, s) -> standings.put(share, new Standing(
            QuotaLevel.valueOf(Trees.text(Trees.get(s, "level"), "QUOTA_LEVEL_OK")),
            (int) Trees.number(Trees.get(s, "alerts"), 0))));
      }
    } catch (IOException | IllegalArgumentException e) {
      log.warn("ignoring unreadable {}: {}", file, e.toString());
    }
  }

  /** Evaluates one share's usage; a rise to warning or critical counts one alert. */
  public Standing evaluate(String share, long used, long quota, int warningPercent, int criticalPercent) {
    Standing before = standings.getOrDefault(share, Standing.OK);
    if (quota <= 0) {
      return before;
    }
    double percent = 100.0 * used / quota;
    QuotaLevel level = before.level();
    if (percent >= criticalPercent) {
      level = QuotaLevel.QUOTA_LEVEL_CRITICAL;
    } else if (percent >= warningPercent) {
      level = level == QuotaLevel.QUOTA_LEVEL_CRITICAL && percent >= criticalPercent - HYSTERESIS_POINTS
          ? QuotaLevel.QUOTA_LEVEL_CRITICAL : QuotaLevel.QUOTA_LEVEL_WARNING;
    } else if (percent < warningPercent - HYSTERESIS_POINTS) {
      level = QuotaLevel.QUOTA_LEVEL_OK;
    } else if (level == QuotaLevel.QUOTA_LEVEL_CRITICAL) {
      level = QuotaLevel.QUOTA_LEVEL_WARNING;
    }
    Standing after = new Standing(level, before.alerts() + (level.getNumber() > before.level().getNumber() ? 1 : 0));
    if (after.alerts() > before.alerts()) {
      log.warn("share {} is at {}% of its quota ({} of {} bytes): {}", share, Math.round(percent), used, quota,
          level == QuotaLevel.QUOTA_LEVEL_CRITICAL ? "critical" : "warning");
    }
    if (after.level() != before.level() || after.alerts() != before.alerts()) {
      standings.put(share, after);
      save();
    }
    return after;
  }

  private void save() {
    Map<String, Object> root = new TreeMap<>();
    standings.forEach((share, s) -> {
      Map<String, Object> standing = new LinkedHashMap<>();
      standing.put("level", s.level().name());
      standing.put("alerts", s.alerts());
      root.put(share, standing);
    });
    try {
      AtomicFile.replace(file, Trees.PLAIN_JSON.asBytes(root));
    } catch (IOException e) {
      log.warn("cannot save {}: {}", file, e.toString());
    }
  }
}
