package org.smbgw.agent.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import org.smbgw.proto.v1.QuotaLevel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
  private static final ObjectMapper JSON = new ObjectMapper();

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
        JSON.readTree(file.toFile()).properties().forEach(e -> standings.put(e.getKey(), new Standing(
            QuotaLevel.valueOf(e.getValue().path("level").asText("QUOTA_LEVEL_OK")), e.getValue().path("alerts").asInt())));
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
    if (!after.equals(before)) {
      standings.put(share, after);
      save();
    }
    return after;
  }

  private void save() {
    ObjectNode root = JSON.createObjectNode();
    standings.forEach((share, s) -> root.putObject(share).put("level", s.level().name()).put("alerts", s.alerts()));
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      JSON.writeValue(tmp.toFile(), root);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      log.warn("cannot save {}: {}", file, e.toString());
    }
  }
}
