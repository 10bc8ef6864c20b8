package org.smbgw.common;

import java.util.List;
import java.util.stream.Collectors;

/** Input that broke one or more rules. Nothing was changed because of it. */
public final class InvalidSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final List<Violation> violations;

  public InvalidSpecException(List<Violation> violations) {
    super(violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
    if (violations.isEmpty()) {
      throw new IllegalArgumentException("an InvalidSpecException needs at least one violation");
    }
    this.violations = List.copyOf(violations);
  }

  public InvalidSpecException(String field, String rule) {
    this(List.of(new Violation(field, rule)));
  }

  public List<Violation> violations() {
    return violations;
  }

  /** The same violations, each field prefixed with the file it was read from. */
  public InvalidSpecException inFile(java.nio.file.Path file) {
    return new InvalidSpecException(violations.stream().map(v -> new Violation(file + ": " + v.field(), v.rule())).toList());
  }

  /** Throws when {@code violations} is not empty. */
  public static void throwIfAny(List<Violation> violations) {
    if (!violations.isEmpty()) {
      throw new InvalidSpecException(violations);
    }
  }
}
