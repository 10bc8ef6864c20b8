package org.smbgw.common;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Chooses how the daemons log: {@code text} (the default, {@code logback.xml}: one human line
 * per event) or {@code json} (one JSON object per line, for log shippers). Both on stderr.
 */
public final class Logging {
  public static final List<String> FORMATS = List.of("text", "json");

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
    URL json = Logging.class.getResource("/smbgw-logback-json.xml");
    if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context) || json == null) {
      throw new IllegalStateException("json logs need logback and smbgw-logback-json.xml on the class path");
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(json);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure json logs: " + e.getMessage(), e);
    }
  }
}
