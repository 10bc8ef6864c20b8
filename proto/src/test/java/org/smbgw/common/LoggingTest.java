package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LoggingTest {
  /** What {@code logger} logs through SLF4J while {@code format} is in use, line by line. */
  private static String[] logged(String format, Runnable logs) {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Logging.use(format);
      logs.run();
    } finally {
      System.setErr(saved);
      Logging.use("text");
    }
    return captured.toString(StandardCharsets.UTF_8).split("\n");
  }

  @Test
  void jsonLogsAreOneObjectPerLineWithLevelLoggerAndMessage() throws Exception {
    String[] lines = logged("json", () -> {
      LoggerFactory.getLogger("org.smbgw.test").warn("address {} up on {}", "10.0.0.50/24", "vmbr0");
      LoggerFactory.getLogger("org.smbgw.test").info("a \"quoted\"\nsecond line");
    });
    assertEquals(2, lines.length, String.join("\n", lines));
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines[0]);
    assertEquals("WARN", first.path("level").asText());
    assertEquals("org.smbgw.test", first.path("loggerName").asText());
    assertEquals(Thread.currentThread().getName(), first.path("threadName").asText());
    assertEquals("address 10.0.0.50/24 up on vmbr0", first.path("formattedMessage").asText());
    assertTrue(first.path("timestamp").asLong() > 0, lines[0]);
    assertEquals("a \"quoted\"\nsecond line", json.readTree(lines[1]).path("formattedMessage").asText());
  }

  @Test
  void textLogsAreOneLineWithTimeLevelThreadAndAShortenedLogger() {
    String[] lines = logged("text", () -> {
      LoggerFactory.getLogger("org.smbgw.agent.reconcile.SomewhatLongReconciler").error("pass {} failed", 7,
          new IllegalStateException("disk gone"));
      LoggerFactory.getLogger("org.smbgw.test").debug("not at INFO");
    });
    assertTrue(lines[0].matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}(Z|[+-]\\d\\d:\\d\\d) ERROR \\["
        + Thread.currentThread().getName() + "\\] o\\.s\\.a\\.r\\.SomewhatLongReconciler - pass 7 failed"),
        lines[0]);
    assertEquals("java.lang.IllegalStateException: disk gone", lines[1]);
    assertTrue(lines[2].strip().startsWith("at org.smbgw.common.LoggingTest"), lines[2]);
    assertTrue(String.join("\n", lines).indexOf("not at INFO") < 0, "DEBUG is below the default level");
  }

  @Test
  void aMessageCannotPassALineOfItsOwnOffAsAnotherEvent() {
    String[] lines = logged("text", () -> LoggerFactory.getLogger("org.smbgw.test")
        .warn("share {} refused", "x\n2026-01-01T00:00:00.000Z ERROR [main] o.s.Forged - node down\rZürich"));
    assertEquals(3, lines.length, String.join("\n", lines));
    assertTrue(lines[0].endsWith(" - share x"), lines[0]);
    assertEquals("\t2026-01-01T00:00:00.000Z ERROR [main] o.s.Forged - node down", lines[1]);
    assertEquals("\tZürich refused", lines[2], "continued, and UTF-8 whatever the platform's charset");
  }

  @Test
  void anUnreadableLoggingConfigurationOfTheAdministratorStillLeavesTheDaemonLogging() {
    System.setProperty("java.util.logging.config.file", "/nonexistent/logging.properties");
    try {
      String[] lines = logged("text", () -> LoggerFactory.getLogger("org.smbgw.test").error("still heard"));
      assertTrue(lines[0].contains("/nonexistent/logging.properties cannot be read"), lines[0]);
      assertTrue(lines[1].endsWith("org.smbgw.test - still heard"), lines[1]);
    } finally {
      System.clearProperty("java.util.logging.config.file");
    }
  }

  @Test
  void zooKeeperAndGrpcSpeakOnlyFromWarnUp() {
    String[] lines = logged("text", () -> {
      LoggerFactory.getLogger("org.apache.zookeeper.ClientCnxn").info("session established");
      java.util.logging.Logger.getLogger("io.grpc.internal.ManagedChannelImpl").info("channel idle");
      LoggerFactory.getLogger("org.apache.curator.framework.imps.CuratorFrameworkImpl").warn("connection lost");
    });
    assertEquals(1, lines.length, String.join("\n", lines));
    assertTrue(lines[0].contains(" WARN  ") && lines[0].endsWith("connection lost"), lines[0]);
  }

  @Test
  void levelsTakeSlf4jsNamesAndTheJdksAndFallBackToInfo() {
    assertEquals(java.util.logging.Level.FINE, Logging.level("debug"));
    assertEquals(java.util.logging.Level.WARNING, Logging.level("WARN"));
    assertEquals(java.util.logging.Level.FINER, Logging.level("FINER"));
    assertEquals(java.util.logging.Level.INFO, Logging.level("loud"));
    assertEquals(java.util.logging.Level.INFO, Logging.level(null));
    assertEquals("org.smbgw.Short", Logging.abbreviate("org.smbgw.Short", 36));
    assertEquals("o.s.c.h.AVeryLongClassNameThatIsLongerThanTheWidth",
        Logging.abbreviate("org.smbgw.coordinator.ha.AVeryLongClassNameThatIsLongerThanTheWidth", 36));
  }

  @Test
  void aStoppingDaemonStillLogsAfterTheJdksShutdownHook() throws Exception {
    Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), LogsWhileStopping.class.getName())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), out);
    assertTrue(out.contains("INFO  [main] org.smbgw.test - serving"), out);
    assertTrue(out.contains("INFO  [stopping] org.smbgw.test - closed the last part"), out);
    assertTrue(!out.contains("lines logged while stopping may be lost"), out);
  }

  @Test
  void anUnknownFormatIsRefusedNamingTheSetting() {
    List<Violation> out = new ArrayList<>();
    Logging.validate("logFormat", "xml", out);
    Logging.validate("logFormat", "json", out);
    Logging.validate("logFormat", null, out);
    assertEquals(1, out.size());
    assertEquals("logFormat", out.get(0).field());
    assertTrue(out.get(0).rule().contains("text or json"), out.get(0).rule());
  }
}
