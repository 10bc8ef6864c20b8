package org.smbgw.common;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Chooses how the daemons log: {@code text} (the default: one human line per event) or
 * {@code json} (one JSON object per line, for log shippers). Both on stderr, at the level
 * {@code -Dsmbgw.log.level} names (INFO by default); ZooKeeper, Curator and gRPC only from WARN up.
 *
 * <p>Logback is set up by these few calls rather than from XML: reading an XML configuration
 * loaded an XML parser and logback's configuration model, 460 of the agent's 4,000 classes, which
 * stayed in its memory for good (3.4 MB of its resident memory; issue 16). {@link LoggingConfigurator} applies the text format when
 * logback starts; {@code -Dlogback.configurationFile} still takes an administrator's own file.
 */
public final class Logging {
  public static final List<String> FORMATS = List.of("text", "json");
  private static final List<String> QUIET = List.of("org.apache.zookeeper", "org.apache.curator", "io.grpc", "io.netty");

  private Logging() {}

  /** Checks a {@code logFormat} setting. */
  public static void validate(String field, String format, List<Violation> out) {
    if (format != null && !FORMATS.contains(format)) {
      out.add(new Violation(field, "must be text or json (got " + Text.quote(format) + ")"));
    }
  }

  /** Switches to {@code format}; text is what logging starts with, so only json changes anything. */
  public static void use(String format) {
    if (!"json".equals(format)) {
      return;
    }
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
      throw new IllegalStateException("json logs need logback on the class path");
    }
    context.reset();
    configure(context, format);
  }

  /** Sets up a fresh (or reset) {@code context}: one appender on stderr with {@code format}'s encoder. */
  static void configure(LoggerContext context, String format) {
    ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
    stderr.setContext(context);
    stderr.setName("STDERR");
    stderr.setTarget("System.err");
    stderr.setEncoder("json".equals(format) ? json(context) : text(context));
    stderr.start();
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.toLevel(System.getProperty("smbgw.log.level"), Level.INFO));
    root.addAppender(stderr);
    QUIET.forEach(name -> context.getLogger(name).setLevel(Level.WARN));
  }

  private static Encoder<ILoggingEvent> text(LoggerContext context) {
    PatternLayoutEncoder e = new PatternLayoutEncoder();
    e.setContext(context);
    e.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n");
    e.start();
    return e;
  }

  /** Level, logger, thread, time and the formatted message; not the raw message and its arguments. */
  private static Encoder<ILoggingEvent> json(LoggerContext context) {
    JsonEncoder e = new JsonEncoder();
    e.setContext(context);
    e.setWithSequenceNumber(false);
    e.setWithNanoseconds(false);
    e.setWithContext(false);
    e.setWithArguments(false);
    e.setWithMessage(false);
    e.setWithFormattedMessage(true);
    e.start();
    return e;
  }
}
