package org.smbgw.agent.samba;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * smbd's own profiling counters (requests, system calls, SMB2 operations with their counts,
 * times in microseconds and bytes), when {@code samba.profiling} is on. Every collection asks
 * smbd to count ({@code smbcontrol smbd profile count}: a runtime switch, so it also holds after
 * smbd restarts) and reads them with one {@code smbstatus --profile}, each with a short timeout;
 * a failure keeps the previous counters and is logged. On its own thread: never in a reconcile
 * pass, never in a scrape.
 */
public final class SambaProfile implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(SambaProfile.class);
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path smbConf;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-samba-profile");
    t.setDaemon(true);
    return t;
  });
  private volatile Map<String, Long> latest = Map.of();

  public SambaProfile(CommandRunner runner, SambaTools tools, Path smbConf) {
    this.runner = runner;
    this.tools = tools;
    this.smbConf = smbConf;
  }

  public void start(Duration every) {
    thread.scheduleWithFixedDelay(this::collect, 0, every.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** The counters of the last successful collection, by name (for example syscall_pread_bytes). */
  public Map<String, Long> latest() {
    return latest;
  }

  public void collect() {
    try {
      runner.runAllowingFailure(Command.of(tools.smbcontrol(), "--configfile=" + smbConf, "smbd", "profile", "count")
          .timeout(TIMEOUT));
      CommandResult r = runner.run(Command.of(tools.smbstatus(), "--configfile=" + smbConf, "--profile").timeout(TIMEOUT));
      latest = parse(r.stdout());
    } catch (Exception e) {
      log.warn("Samba profiling counters not read: {}", e.getMessage());
    }
  }

  /** Lines "name:   value"; section headers ("**** SMBD loop ****") and anything else are skipped. */
  static Map<String, Long> parse(String text) {
    Map<String, Long> out = new TreeMap<>();
    for (String line : text.split("\n")) {
      int colon = line.indexOf(':');
      if (colon <= 0 || line.startsWith("*")) {
        continue;
      }
      String name = line.substring(0, colon).strip();
      String value = line.substring(colon + 1).strip();
      if (name.matches("[a-z0-9_]+") && value.matches("\\d{1,18}")) {
        out.put(name, Long.parseLong(value));
      }
    }
    return Collections.unmodifiableMap(out);
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}
