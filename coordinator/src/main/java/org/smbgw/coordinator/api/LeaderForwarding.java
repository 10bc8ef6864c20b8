package org.smbgw.coordinator.api;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.common.tls.TlsFiles;
import org.smbgw.coordinator.election.Leadership;

/**
 * Makes every replica answer admin calls: on a follower, a call is passed unchanged (same method,
 * same messages, same headers, the caller's deadline or none) to the leader, whose answer comes
 * back as is, at the pace the caller reads it: the next answer is asked of the leader only when
 * the caller's side can take it, so a slow reader of a stream slows the leader's stream instead of
 * filling this replica's memory. On the leader the call is served locally. Channels to leaders are
 * kept and reused.
 */
public final class LeaderForwarding implements ServerInterceptor, AutoCloseable {
  /**
   * How long a call waits for a leader while there is none (an election after the leader's
   * ZooKeeper server died takes a session timeout or so): long enough that such a call is served,
   * not lost; never past the caller's own deadline.
   */
  private static final java.time.Duration LEADER_WAIT = java.time.Duration.ofSeconds(10);

  /** The deadline of a forwarded unary call whose caller set none. */
  private static final long UNARY_CAP_SECONDS = 30;
  private final Leadership leadership;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final TlsFiles tls;

  /** @param tls this replica's credentials: the leader sees a forwarded call come from this node */
  public LeaderForwarding(Leadership leadership, TlsFiles tls) {
    this.leadership = leadership;
    this.tls = tls;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Optional<String> leader = awaitLeader();
    if (leadership.isLeader()) {
      return next.startCall(call, headers);
    }
    if (leader.isEmpty()) {
      call.close(Status.UNAVAILABLE.withDescription("no coordinator leader was elected within "
          + LEADER_WAIT.toMillis() + " ms; retry"), new Metadata());
      return new ServerCall.Listener<>() { };
    }
    ManagedChannel channel = channels.computeIfAbsent(leader.get(),
        id -> Grpc.channel(HostPort.parse("leader", id, false), false, tls));
    // The server call's context carries the caller's deadline (none for `events --follow`). A
    // unary call without one gets UNARY_CAP: a leader behind a dead link must not hold it forever.
    io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
    if (deadline == null && call.getMethodDescriptor().getType() == io.grpc.MethodDescriptor.MethodType.UNARY) {
      deadline = io.grpc.Deadline.after(UNARY_CAP_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
    }
    // The leader checks the caller's token, and counts failures by where the call came from.
    headers.discardAll(org.smbgw.coordinator.auth.TokenAuth.FORWARDED_FOR);
    headers.put(org.smbgw.coordinator.auth.TokenAuth.FORWARDED_FOR, org.smbgw.common.tls.Peer.current().address());
    ClientCall<Q, R> upstream = channel.newCall(call.getMethodDescriptor(),
        deadline == null ? CallOptions.DEFAULT : CallOptions.DEFAULT.withDeadline(deadline));
    java.util.concurrent.atomic.AtomicBoolean owed = new java.util.concurrent.atomic.AtomicBoolean();
    upstream.start(new ClientCall.Listener<>() {
      @Override
      public void onHeaders(Metadata h) {
        call.sendHeaders(h);
      }

      @Override
      public void onMessage(R message) {
        call.sendMessage(message);
        if (call.isReady()) {
          upstream.request(1);
        } else {
          owed.set(true); // asked for again in onReady
          if (call.isReady() && owed.compareAndSet(true, false)) {
            upstream.request(1); // it became ready before the flag was set
          }
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        call.close(status, trailers);
      }
    }, headers);
    upstream.request(1);
    call.request(1);
    return new ServerCall.Listener<Q>() {
      @Override
      public void onMessage(Q message) {
        upstream.sendMessage(message);
        call.request(1);
      }

      @Override
      public void onHalfClose() {
        upstream.halfClose();
      }

      @Override
      public void onCancel() {
        upstream.cancel("client cancelled", null);
      }

      @Override
      public void onReady() {
        if (call.isReady() && owed.compareAndSet(true, false)) {
          upstream.request(1);
        }
      }
    };
  }

  /** The other replica that leads, waiting up to LEADER_WAIT while none does; empty when this one leads. */
  /** The leader to forward to; empty when this replica leads, or none was elected in time. */
  private Optional<String> awaitLeader() {
    io.grpc.Deadline callDeadline = io.grpc.Context.current().getDeadline();
    long wait = callDeadline == null ? LEADER_WAIT.toNanos()
        : Math.max(0, Math.min(LEADER_WAIT.toNanos(), callDeadline.timeRemaining(java.util.concurrent.TimeUnit.NANOSECONDS)));
    try {
      return leadership.awaitLeader(java.time.Duration.ofNanos(wait));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return leadership.leaderId().filter(x -> !x.equals(leadership.id()));
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
  }
}
