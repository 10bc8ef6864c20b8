package org.smbgw.agent.exec;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One invocation of an external program. The argument list goes to the kernel as is: no shell
 * ever parses it. {@code stdin} is the only place a secret may travel, and it is never logged.
 */
public final class Command {
  private final List<String> argv;
  private final Duration timeout;
  private final byte[] stdin;
  private final Map<String, String> environment;

  private Command(List<String> argv, Duration timeout, byte[] stdin, Map<String, String> environment) {
    if (argv.isEmpty()) {
      throw new IllegalArgumentException("a command needs a program");
    }
    argv.forEach(a -> Objects.requireNonNull(a, "argument"));
    this.argv = List.copyOf(argv);
    this.timeout = timeout;
    this.stdin = stdin;
    this.environment = Map.copyOf(environment);
  }

  public static Command of(String program, String... args) {
    String[] all = new String[args.length + 1];
    all[0] = program;
    System.arraycopy(args, 0, all, 1, args.length);
    return new Command(List.of(all), null, null, Map.of());
  }

  public static Command of(List<String> argv) {
    return new Command(argv, null, null, Map.of());
  }

  /** Overrides the runner's default timeout for this call. */
  public Command timeout(Duration t) {
    return new Command(argv, t, stdin, environment);
  }

  /** Bytes written to the program's stdin, then closed. Never logged or kept in errors. */
  public Command stdin(byte[] input) {
    return new Command(argv, timeout, input.clone(), environment);
  }

  public Command stdin(String input) {
    return stdin(input.getBytes(StandardCharsets.UTF_8));
  }

  public Command environment(Map<String, String> env) {
    return new Command(argv, timeout, stdin, env);
  }

  public List<String> argv() {
    return argv;
  }

  /** The program's base name, the key its calls are counted and timed under. */
  public String tool() {
    String p = argv.get(0);
    return p.substring(p.lastIndexOf('/') + 1);
  }

  Duration timeout() {
    return timeout;
  }

  byte[] stdinBytes() {
    return stdin == null ? null : stdin.clone();
  }

  Map<String, String> environment() {
    return environment;
  }

  /** For logs and messages: the argument list, quoted where needed. Stdin is never shown. */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    for (String a : argv) {
      if (b.length() > 0) {
        b.append(' ');
      }
      b.append(a.isEmpty() || a.chars().anyMatch(c -> " \t\n'\"\\$`;&|<>()*?[]#~".indexOf(c) >= 0)
          ? "'" + a.replace("'", "'\\''") + "'" : a);
    }
    return b.toString();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Command c && c.argv.equals(argv) && Objects.equals(c.timeout, timeout)
        && Arrays.equals(c.stdin, stdin) && c.environment.equals(environment);
  }

  @Override
  public int hashCode() {
    return argv.hashCode();
  }
}
