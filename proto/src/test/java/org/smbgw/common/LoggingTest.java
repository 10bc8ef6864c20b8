package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.util.ContextInitializer;
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
  @Test
  void jsonLogsAreOneObjectPerLineWithLevelLoggerAndMessage() throws Exception {
    PrintStream saved = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      Logging.use("json");
      LoggerFactory.getLogger("org.smbgw.test").warn("address {} up on {}", "10.0.0.50/24", "vmbr0");
      LoggerFactory.getLogger("org.smbgw.test").info("a \"quoted\"\nsecond line");
    } finally {
      System.setErr(saved);
      LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
      context.reset();
      new ContextInitializer(context).autoConfig();
    }
    String[] lines = captured.toString(StandardCharsets.UTF_8).strip().split("\n");
    assertEquals(2, lines.length, captured.toString(StandardCharsets.UTF_8));
    ObjectMapper json = new ObjectMapper();
    JsonNode first = json.readTree(lines[0]);
    assertEquals("WARN", first.path("level").asText());
    assertEquals("org.smbgw.test", first.path("loggerName").asText());
    assertEquals("address 10.0.0.50/24 up on vmbr0", first.path("formattedMessage").asText());
    assertTrue(first.path("timestamp").asLong() > 0, lines[0]);
    assertEquals("a \"quoted\"\nsecond line", json.readTree(lines[1]).path("formattedMessage").asText());
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
