package org.smbgw.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * How the daemons log: {@code text} (the default: one human line per event) or {@code json} (one
 * JSON object per line, for log shippers). Both on stderr, at the level {@code -Dsmbgw.log.level}
 * names (INFO by default); ZooKeeper, Curator, gRPC and Netty only from WARN up.
 *
 * <p>The backend is the JDK's own {@code java.util.logging}, reached through SLF4J's
 * {@code slf4j-jdk14} binding: logback cost the agent 218 classes and 1.1 MB of its resident
 * memory (issue 16), and gRPC logs to {@code java.util.logging} anyway. An administrator's own
 * {@code -Djava.util.logging.config.file} is left alone.
 */
public final class Logging {
  public static final List<String> FORMATS = List.of("text", "json");
  private static final List<String> QUIET = List.of("org.apache.zookeeper", "org.apache.curator", "io.grpc", "io.netty",
      "com.hierynomus"); // the last: smbj, the lab's client, tells every connection and session at INFO
  /** Strong references: java.util.logging forgets the level of a logger nobody holds. */
  private static final List<Logger> HELD = new java.util.concurrent.CopyOnWriteArrayList<>();

  private Logging() {}

  /**
   * The first call of a daemon's {@code main}: keeps its last lines through shutdown (see
   * {@link Manager}) and logs text until {@link #use} is told otherwise.
   */
  public static void start() {
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", Manager.class.getName());
    }
    use("text");
    if (!(LogManager.getLogManager() instanceof Manager)) {
      Logger.getLogger(Logging.class.getName()).warning("logging started before smbgw set it up ("
          + LogManager.getLogManager().getClass().getName() + "): lines logged while stopping may be lost");
    }
  }

  /** Checks a {@code logFormat} setting. */
  public static void validate(String field, String format, List<Violation> out) {
    if (format != null && !FORMATS.contains(format)) {
      out.add(new Violation(field, "must be text or json (got " + Text.quote(format) + ")"));
    }
  }

  /** Logs in {@code format} from now on: one handler on the root logger, writing to stderr. */
  public static void use(String format) {
    Logger root = Logger.getLogger("");
    String own = System.getProperty("java.util.logging.config.file");
    if (own != null) {
      if (java.nio.file.Files.isReadable(java.nio.file.Path.of(own)) && root.getHandlers().length > 0) {
        return; // the administrator's own configuration
      }
      // The JDK says nothing when it cannot read the file, and would then log nothing at all.
      System.err.println("smbgw: java.util.logging.config.file " + own
          + " cannot be read or sets no handler; logging as smbgw does by default");
    }
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler stderr = new Stderr();
    stderr.setFormatter("json".equals(format) ? new Json() : new TextLine());
    stderr.setLevel(Level.ALL);
    root.addHandler(stderr);
    String asked = System.getProperty("smbgw.log.level");
    Level level = level(asked);
    root.setLevel(level);
    if (level == Level.INFO && asked != null && !asked.isBlank() && !asked.strip().equalsIgnoreCase("INFO")) {
      System.err.println("smbgw: smbgw.log.level " + Text.quote(asked)
          + " is not a level (TRACE, DEBUG, INFO, WARN, ERROR, OFF); logging from INFO up");
    }
    HELD.clear();
    for (String name : QUIET) {
      Logger quiet = Logger.getLogger(name);
      quiet.setLevel(Level.WARNING);
      HELD.add(quiet);
    }
  }

  /** SLF4J's level names (and java.util.logging's) to java.util.logging's levels; INFO when unset. */
  static Level level(String name) {
    if (name == null || name.isBlank()) {
      return Level.INFO;
    }
    return switch (name.strip().toUpperCase(Locale.ROOT)) {
      case "TRACE" -> Level.FINEST;
      case "DEBUG" -> Level.FINE;
      case "WARN" -> Level.WARNING;
      case "ERROR" -> Level.SEVERE;
      case "OFF" -> Level.OFF;
      default -> {
        try {
          yield Level.parse(name.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
          yield Level.INFO;
        }
      }
    };
  }

  /** java.util.logging's levels by SLF4J's names, which smbgw's logs and their readers use. */
  static String name(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "ERROR";
    } else if (v >= Level.WARNING.intValue()) {
      return "WARN";
    } else if (v >= Level.INFO.intValue()) {
      return "INFO";
    } else if (v >= Level.FINE.intValue()) {
      return "DEBUG";
    }
    return "TRACE";
  }

  /**
   * A package-abbreviated logger name of at most {@code width} characters where it can be
   * ({@code o.s.agent.reconcile.Reconciler}); the class name itself is never cut.
   */
  static String abbreviate(String logger, int width) {
    if (logger == null || logger.length() <= width) {
      return logger == null ? "" : logger;
    }
    String[] parts = logger.split("\\.");
    int length = logger.length();
    for (int i = 0; i < parts.length - 1 && length > width; i++) {
      length -= parts[i].length() - 1;
      parts[i] = parts[i].isEmpty() ? "" : parts[i].substring(0, 1);
    }
    return String.join(".", parts);
  }

  /**
   * A message's own line breaks with a tab after each, so that no message can pass a line of its
   * own off as another event (a client-supplied name with a newline in it, say).
   */
  static String continued(String message) {
    if (message == null) {
      return "null";
    }
    return message.indexOf('\n') < 0 && message.indexOf('\r') < 0 ? message
        : message.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\n\t");
  }

  private static String padded(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }

  private static String stackTrace(Throwable t) {
    StringWriter out = new StringWriter();
    t.printStackTrace(new PrintWriter(out));
    return out.toString();
  }

  /**
   * Writes UTF-8 (what the journal and log shippers read, whatever the locale) to whatever {@code
   * System.err} is when a record comes (tests swap it). A record that cannot be formatted is
   * reported, never thrown at the code that logged it.
   */
  private static final class Stderr extends Handler {
    @Override
    public synchronized void publish(LogRecord record) {
      if (!isLoggable(record)) {
        return;
      }
      byte[] line;
      try {
        line = getFormatter().format(record).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } catch (RuntimeException e) {
        reportError("cannot format a log record of " + record.getLoggerName(), e, java.util.logging.ErrorManager.FORMAT_FAILURE);
        return;
      }
      System.err.write(line, 0, line.length);
      System.err.flush();
    }

    @Override
    public void flush() {
      System.err.flush();
    }

    @Override
    public void close() {
      flush();
    }
  }

  /** {@code 2026-11-30T14:46:46.318Z INFO  [smbgw-reconcile] o.s.agent.reconcile.Reconciler - message}. */
  static final class TextLine extends Formatter {
    /** Local time to the millisecond with its offset, {@code Z} for UTC. */
    private static final DateTimeFormatter TIME = new java.time.format.DateTimeFormatterBuilder()
        .appendPattern("yyyy-MM-dd'T'HH:mm:ss.SSS").appendOffset("+HH:MM", "Z").toFormatter();

    @Override
    public String format(LogRecord r) {
      StringBuilder line = new StringBuilder(128)
          .append(TIME.format(r.getInstant().atZone(ZoneId.systemDefault())))
          .append(' ').append(padded(name(r.getLevel()), 5))
          .append(" [").append(Thread.currentThread().getName()).append("] ")
          .append(abbreviate(r.getLoggerName(), 36)).append(" - ").append(continued(formatMessage(r)))
          .append(System.lineSeparator());
      if (r.getThrown() != null) {
        line.append(stackTrace(r.getThrown()));
      }
      return line.toString();
    }
  }

  /**
   * One JSON object a line, with the field names logback's JSON encoder used (timestamp, level,
   * threadName, loggerName, formattedMessage) and the stack trace of an exception.
   */
  static final class Json extends Formatter {
    private static final JsonFactory FACTORY = new JsonFactory();

    @Override
    public String format(LogRecord r) {
      StringWriter out = new StringWriter(160);
      try (JsonGenerator g = FACTORY.createGenerator(out)) {
        g.writeStartObject();
        g.writeNumberField("timestamp", r.getMillis());
        g.writeStringField("level", name(r.getLevel()));
        g.writeStringField("threadName", Thread.currentThread().getName());
        g.writeStringField("loggerName", r.getLoggerName());
        g.writeStringField("formattedMessage", formatMessage(r));
        if (r.getThrown() != null) {
          g.writeStringField("stackTrace", stackTrace(r.getThrown()));
        }
        g.writeEndObject();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.append('\n').toString();
    }
  }

  /**
   * For {@code -Djava.util.logging.config.class}: the text format from the first line on, in a JVM
   * whose {@code main} is not a daemon's (the tests set it).
   */
  public static final class Defaults {
    public Defaults() {
      use("text");
    }
  }

  /**
   * The JDK's log manager, except that its shutdown hook no longer takes every handler away: a
   * daemon stopping logs what it does until the end. {@link #start} installs it when nothing has
   * logged yet.
   */
  public static final class Manager extends LogManager {
    @Override
    public void reset() {
      if (Thread.currentThread().getClass().getName().startsWith(LogManager.class.getName() + "$")) {
        return; // LogManager's own shutdown hook
      }
      super.reset();
    }
  }
}
