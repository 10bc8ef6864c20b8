package org.smbgw.coordinator.decide;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.coordinator.state.StoreException;

/** Failures as gRPC status codes (DESIGN.md section 5), each with a description to act on. */
public final class Errors {
  private Errors() {}

  public static StatusRuntimeException of(Exception e) {
    if (e instanceof StatusRuntimeException s) {
      return s;
    }
    if (e instanceof InterruptedException) {
      Thread.currentThread().interrupt();
      return Status.UNAVAILABLE.withDescription("this coordinator is shutting down or stepped down; retry")
          .asRuntimeException();
    }
    if (e instanceof InvalidSpecException i) {
      return Status.INVALID_ARGUMENT.withDescription(i.getMessage()).asRuntimeException();
    }
    if (e instanceof StoreException s) {
      Status status = switch (s.kind()) {
        case EXISTS -> Status.ALREADY_EXISTS;
        case NOT_FOUND -> Status.NOT_FOUND;
        case CONFLICT, MOVED -> Status.ABORTED;
        case NOT_LEADER, UNAVAILABLE -> Status.UNAVAILABLE;
        // Not UNAVAILABLE: the command line tries the next replica on that, which would decide again.
        case OUTCOME_UNKNOWN -> Status.UNKNOWN;
        case TOO_LARGE -> Status.INVALID_ARGUMENT;
      };
      return status.withDescription(s.getMessage()).asRuntimeException();
    }
    return Status.INTERNAL.withDescription(e.toString()).asRuntimeException();
  }

  public static StatusRuntimeException notFound(String what) {
    return Status.NOT_FOUND.withDescription(what + " does not exist").asRuntimeException();
  }

  public static StatusRuntimeException unavailable(String why) {
    return io.grpc.Status.UNAVAILABLE.withDescription(why).asRuntimeException();
  }

  public static StatusRuntimeException precondition(String why) {
    return Status.FAILED_PRECONDITION.withDescription(why).asRuntimeException();
  }

  public static StatusRuntimeException exists(String what) {
    return Status.ALREADY_EXISTS.withDescription(what + " already exists").asRuntimeException();
  }
}
