package org.smbgw.common;

import org.slf4j.LoggerFactory;

/** A daemon in miniature: logs from a shutdown hook that runs after the JDK's own log hook. */
public final class LogsWhileStopping {
  private LogsWhileStopping() {}

  public static void main(String[] args) {
    Logging.start();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Thread.sleep(300); // the JDK's log manager hook has long run by now
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      LoggerFactory.getLogger("org.smbgw.test").info("closed the last part");
    }, "stopping"));
    LoggerFactory.getLogger("org.smbgw.test").info("serving");
    System.exit(0);
  }
}
