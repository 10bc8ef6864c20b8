package org.smbgw.coordinator.auth;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.smbgw.common.auth.Tokens;
import org.smbgw.common.tls.Peer;
import org.smbgw.coordinator.decide.TokenDecisions;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.TokenRecord;

/**
 * Every admin call shows a token, and the token's role must allow the call (DESIGN section 6). It
 * runs where the call is served, on the leader: a follower passes the call on with its headers,
 * naming the caller's address in {@link #FORWARDED_FOR}, which counts only when the one passing
 * it on has a node's certificate. Failures are throttled per source ({@link Throttle}): the
 * refusal is sent after a delay, on a timer, so no thread waits. Refusals go to the {@link
 * Listener} (metrics and the audit trail); the caller of an accepted call is in {@link #caller()}.
 */
public final class TokenAuth implements ServerInterceptor {
  /** Set by a follower that passes a call on: where the call came from. */
  public static final Metadata.Key<String> FORWARDED_FOR = Metadata.Key.of("smbgw-forwarded-for",
      Metadata.ASCII_STRING_MARSHALLER);
  private static final Context.Key<Caller> CALLER = Context.key("smbgw-caller");

  /** Who makes an accepted call: the token's name and role, and where from. */
  public record Caller(String token, Role role, String from) {
    @Override
    public String toString() {
      return "token " + token + " (" + TokenDecisions.role(role) + ") from " + from;
    }
  }

  /** Told of every refused call. */
  public interface Listener {
    /**
     * @param reason "unauthenticated", "locked_out" or "denied"
     * @param caller the token's name when it was valid (denied), else empty
     */
    void refused(String reason, String method, String from, Optional<String> caller, String why);
  }

  /** The caller of the call this thread serves, once it passed this check. */
  public static Optional<Caller> caller() {
    return Optional.ofNullable(CALLER.get());
  }

  private final ClusterView view;
  private final LongSupplier ticker;
  private final ScheduledExecutorService timer;
  private final Listener listener;
  private final Throttle throttle = new Throttle();

  public TokenAuth(ClusterView view, LongSupplier ticker, ScheduledExecutorService timer, Listener listener) {
    this.view = view;
    this.ticker = ticker;
    this.timer = timer;
    this.listener = listener;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    String from = source(Peer.current(), headers);
    String host = host(from);
    long now = ticker.getAsLong();
    long locked = throttle.lockedFor(host, now);
    if (locked > 0) {
      String why = "too many failed attempts from " + host + ": refused for " + (TimeUnit.NANOSECONDS.toSeconds(locked) + 1)
          + " s more";
      listener.refused("locked_out", method, from, Optional.empty(), why);
      return refuse(call, Status.UNAUTHENTICATED.withDescription(why), 0);
    }
    Optional<String> token = Tokens.from(headers);
    Optional<String> name = token.flatMap(Tokens::nameOf);
    Versioned<TokenRecord> record = name.map(n -> view.tokens().get(n)).orElse(null);
    if (record == null || !Tokens.matches(token.get(), record.value().getSecretSha256().toByteArray())) {
      String why = token.isEmpty()
          ? "this call needs an administrator's token (the CLI reads it from --token-file, $SMBGW_TOKEN_FILE or "
              + "~/.config/smbgw/token)"
          : "the token is not valid (unknown, revoked or mistyped)";
      listener.refused("unauthenticated", method, from, Optional.empty(), why);
      return refuse(call, Status.UNAUTHENTICATED.withDescription(why), throttle.failed(host, now));
    }
    throttle.succeeded(host);
    Role role = record.value().getToken().getRole();
    Role needed = Roles.needed(method);
    if (!Roles.allows(role, needed)) {
      String why = "token " + name.get() + " has role " + TokenDecisions.role(role) + "; " + method + " needs "
          + TokenDecisions.role(needed);
      listener.refused("denied", method, from, name, why);
      return refuse(call, Status.PERMISSION_DENIED.withDescription(why), 0);
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, new Caller(name.get(), role, from)), call, headers,
        next);
  }

  /** The caller's address; for a call a node passed on, the address it names and the node. */
  static String source(Peer peer, Metadata headers) {
    String forwardedFor = headers.get(FORWARDED_FOR);
    if (forwardedFor != null && peer.names().isPresent()) {
      return forwardedFor + " via " + peer.names().get().node();
    }
    return peer.address();
  }

  /** The host part of a source, what failures are counted by (a client's port changes every connection). */
  static String host(String from) {
    String first = from.split(" ", 2)[0];
    int colon = first.lastIndexOf(':');
    return colon > 0 && first.indexOf(':') == colon ? first.substring(0, colon)
        : first.startsWith("[") && first.contains("]") ? first.substring(0, first.indexOf(']') + 1) : first;
  }

  private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, long delayNanos) {
    Runnable close = () -> {
      try {
        call.close(status, new Metadata());
      } catch (IllegalStateException e) {
        // the caller went away meanwhile
      }
    };
    if (delayNanos <= 0) {
      close.run();
    } else {
      timer.schedule(close, delayNanos, TimeUnit.NANOSECONDS);
    }
    return new ServerCall.Listener<>() { };
  }
}
