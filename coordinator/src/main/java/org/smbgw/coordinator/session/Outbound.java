package org.smbgw.coordinator.session;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.proto.v1.CoordinatorMessage;

/**
 * Messages to an agent: the lease threads and the session thread share its stream, so every
 * call on it holds the stream's lock, and a stream that has gone is told nothing.
 */
final class Outbound {
  private static final Logger log = LoggerFactory.getLogger(Outbound.class);
  private final StreamObserver<CoordinatorMessage> out;

  Outbound(StreamObserver<CoordinatorMessage> out) {
    this.out = out;
  }

  boolean gone() {
    return out instanceof ServerCallStreamObserver<CoordinatorMessage> call && call.isCancelled();
  }

  void send(CoordinatorMessage m, String node) {
    synchronized (out) {
      try {
        out.onNext(m);
      } catch (RuntimeException e) {
        log.warn("cannot send to {}: {}", node, e.toString());
      }
    }
  }

  void complete() {
    synchronized (out) {
      try {
        out.onCompleted();
      } catch (RuntimeException e) {
        // closed already
      }
    }
  }

  /** Ends the stream with {@code status}. */
  void fail(io.grpc.Status status) {
    synchronized (out) {
      out.onError(status.asRuntimeException());
    }
  }
}
