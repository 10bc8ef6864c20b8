package org.smbgw.agent.reconcile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.smbgw.common.Trees;

/**
 * Every action the agent takes on the node, one JSON object per line: time, subject, action
 * ({@code apply}, {@code failed}, {@code undo}, {@code undo-failed}), the step, and for failures
 * the error and the manual command that finishes what the agent could not. Thread-safe.
 */
public final class AuditLog {
  private final Path file;
  private final Clock clock;

  public AuditLog(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  public Path file() {
    return file;
  }

  public synchronized void record(String subject, String action, Step step, String error, String manual) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("time", clock.instant().toString());
    e.put("subject", subject);
    e.put("action", action);
    e.put("step", step.describe());
    if (error != null) {
      e.put("error", error);
    }
    if (manual != null) {
      e.put("manual", manual);
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, Trees.PLAIN_JSON.asString(e) + "\n", StandardCharsets.UTF_8,
          StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException ex) {
      throw new UncheckedIOException("cannot write audit log " + file, ex);
    }
  }
}
