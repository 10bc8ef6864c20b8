package org.smbgw.common;

import io.grpc.Status;

/**
 * The exit codes of every smbgw program (DESIGN section 5): 0 ok, 2 usage, 3 not found,
 * 4 invalid or conflict, 5 denied, 6 unreachable, 1 other.
 */
public final class ExitCodes {
  public static final int OK = 0;
  public static final int OTHER = 1;
  public static final int USAGE = 2;
  public static final int NOT_FOUND = 3;
  public static final int INVALID = 4;
  public static final int DENIED = 5;
  public static final int UNREACHABLE = 6;

  /** The one-line summary for --help footers and man pages. */
  public static final String SUMMARY =
      "Exit codes: 0 ok, 2 usage, 3 not found, 4 invalid or conflict, 5 denied, 6 unreachable, 1 other.";

  private ExitCodes() {}

  public static int of(Status.Code code) {
    return switch (code) {
      case OK -> OK;
      case NOT_FOUND -> NOT_FOUND;
      case INVALID_ARGUMENT, ALREADY_EXISTS, FAILED_PRECONDITION, ABORTED, OUT_OF_RANGE -> INVALID;
      case PERMISSION_DENIED, UNAUTHENTICATED -> DENIED;
      case UNAVAILABLE, DEADLINE_EXCEEDED -> UNREACHABLE;
      default -> OTHER;
    };
  }
}
