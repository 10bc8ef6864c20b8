package org.smbgw.agent.exec;

/**
 * A seam for tests: consulted before every command; throwing makes that command fail as if the
 * program had. Production code uses {@link #NONE}.
 */
@FunctionalInterface
public interface FaultInjector {
  FaultInjector NONE = command -> { };

  void beforeRun(Command command) throws CommandFailedException;
}
