package org.smbgw.cli;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.smbgw.proto.v1.AdminServiceGrpc;

/**
 * The coordinators the CLI may ask, tried in order: a replica that cannot be reached, or has no
 * leader to forward to, is skipped. Every call has a deadline.
 */
public final class Coordinators implements AutoCloseable {
  private final List<String> addresses;
  private final long deadlineSeconds;
  private final List<ManagedChannel> channels = new ArrayList<>();

  public Coordinators(List<String> addresses, long deadlineSeconds) {
    this.addresses = addresses;
    this.deadlineSeconds = deadlineSeconds;
  }

  /** Runs {@code call} against the first replica that answers; throws the last failure. */
  public <T> T call(Function<AdminServiceGrpc.AdminServiceBlockingStub, T> call) {
    StatusRuntimeException last = null;
    for (String address : addresses) {
      ManagedChannel ch = NettyChannelBuilder.forTarget(address).usePlaintext().build();
      channels.add(ch);
      try {
        return call.apply(AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS));
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
        Throwable cause = e.getStatus().getCause();
        String why = cause != null && cause.getMessage() != null ? cause.getMessage()
            : e.getStatus().getDescription() != null ? e.getStatus().getDescription() : "unavailable";
        last = Status.UNAVAILABLE.withDescription("cannot reach the coordinator at " + address + ": " + why)
            .asRuntimeException();
      }
    }
    throw last != null ? last : Status.UNAVAILABLE.withDescription("no coordinator address given").asRuntimeException();
  }

  @Override
  public void close() {
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
