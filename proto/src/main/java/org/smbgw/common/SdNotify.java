package org.smbgw.common;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.util.Map;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how a daemon is doing ({@code sd_notify(3)} through JNA): {@code READY=1} when it
 * really serves, {@code STATUS=} lines a person reads in {@code systemctl status},
 * {@code WATCHDOG=1} while its loops make progress, {@code STOPPING=1}. Without
 * {@code NOTIFY_SOCKET} (not started by systemd, or a unit not of {@code Type=notify}) every call
 * does nothing; without libsystemd it says so once in the log and does nothing.
 */
public final class SdNotify {
  private static final Logger log = LoggerFactory.getLogger(SdNotify.class);

  interface LibSystemd extends Library {
    int sd_notify(int unsetEnvironment, String state);
  }

  private final LibSystemd lib;

  private SdNotify(LibSystemd lib) {
    this.lib = lib;
  }

  /** From this process's environment: a working notifier under systemd, a silent one elsewhere. */
  public static SdNotify fromEnvironment() {
    return from(System.getenv());
  }

  static SdNotify from(Map<String, String> env) {
    if (env.get("NOTIFY_SOCKET") == null) {
      return new SdNotify(null);
    }
    try {
      return new SdNotify(Native.load("libsystemd.so.0", LibSystemd.class));
    } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
      log.warn("NOTIFY_SOCKET is set but libsystemd cannot be loaded ({}): systemd will not hear of readiness", e.toString());
      return new SdNotify(null);
    }
  }

  /** Whether messages go anywhere. */
  public boolean active() {
    return lib != null;
  }

  /**
   * The watchdog interval systemd expects pings within ({@code WATCHDOG_USEC}, for this process
   * when {@code WATCHDOG_PID} says so); empty when there is no watchdog.
   */
  public static OptionalLong watchdogMicros(Map<String, String> env) {
    String usec = env.get("WATCHDOG_USEC");
    String pid = env.get("WATCHDOG_PID");
    if (usec == null || !usec.matches("\\d{1,18}") || Long.parseLong(usec) == 0) {
      return OptionalLong.empty();
    }
    if (pid != null && !pid.equals(Long.toString(ProcessHandle.current().pid()))) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(Long.parseLong(usec));
  }

  public void ready(String status) {
    send("READY=1\nSTATUS=" + oneLine(status));
  }

  public void status(String status) {
    send("STATUS=" + oneLine(status));
  }

  public void watchdog() {
    send("WATCHDOG=1");
  }

  public void stopping(String status) {
    send("STOPPING=1\nSTATUS=" + oneLine(status));
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
  }

  private void send(String state) {
    if (lib != null) {
      int r = lib.sd_notify(0, state);
      if (r < 0) {
        log.debug("sd_notify failed: {}", r);
      }
    }
  }
}
