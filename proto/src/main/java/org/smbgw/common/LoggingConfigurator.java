package org.smbgw.common;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * Logback's first configurator (found through META-INF/services): smbgw's text format, set up by
 * {@link Logging} without XML. With {@code -Dlogback.configurationFile} set it steps aside and
 * logback reads that file as usual.
 */
public final class LoggingConfigurator extends ContextAwareBase implements Configurator {
  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    Logging.configure(context, "text");
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
