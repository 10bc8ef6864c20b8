package org.smbgw.agent.exec;

/**
 * A program exited non-zero, timed out, or could not be started. The message carries the command
 * (never its stdin) and the last lines of stderr, so that a person can act on it.
 */
public class CommandFailedException extends Exception {
  private static final long serialVersionUID = 1L;
  private final transient Command command;
  private final int exitCode;
  private final String stderr;

  public CommandFailedException(Command command, int exitCode, String stderr, String reason) {
    super(command + ": " + reason + summarize(stderr));
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr == null ? "" : stderr;
  }

  public Command command() {
    return command;
  }

  /** The exit code, or -1 when the program never exited by itself (timeout, not started). */
  public int exitCode() {
    return exitCode;
  }

  public String stderr() {
    return stderr;
  }

  private static String summarize(String stderr) {
    if (stderr == null || stderr.isBlank()) {
      return "";
    }
    String s = stderr.strip();
    if (s.length() > 600) {
      s = "..." + s.substring(s.length() - 600);
    }
    return ": " + s.replace('\n', ' ');
  }

  /** The program ran past its timeout and was killed. */
  public static final class Timeout extends CommandFailedException {
    private static final long serialVersionUID = 1L;

    public Timeout(Command command, java.time.Duration after, String stderr) {
      super(command, -1, stderr, "killed after timeout of " + after.toMillis() + " ms");
    }
  }
}
