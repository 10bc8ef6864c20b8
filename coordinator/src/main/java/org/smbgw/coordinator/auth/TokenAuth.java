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
    /** "token NAME (ROLE)", as records and logs name a caller. */
    public String who() {
      return "token " + token + " (" + Tokens.roleName(role) + ")";
    }

    @Override
    public String toString() {
      return who() + " from " + from;
    }
  }

  /** Told of every refused call. */
  public interface Listener {
    /**
     * @param reason "unauthenticated", "locked_out", "denied", or "no_certificate" (an agent's stream)
     * @param who the caller as {@link Caller#who} names it when its token was valid (denied), else empty
     * @param request what a denied caller asked (its token was valid, so its call is read before it
     *     is refused); null for one that could not show a valid token, whose call is refused unread
     */
    void refused(String reason, String method, String from, Optional<String> who, String why, Object request);
  }

  /** The caller of the call this thread serves, once it passed this check. */
  public static Optional<Caller> caller() {
    return Optional.ofNullable(CALLER.get());
  }

  private final java.util.function.Function<String, TokenRecord> tokens;
  private final java.util.function.BooleanSupplier settled;
  private final LongSupplier ticker;
  private final ScheduledExecutorService timer;
  private final Listener listener;
  private final Throttle throttle = new Throttle();

  /** Checks tokens against the records {@code view} shows. */
  public TokenAuth(ClusterView view, LongSupplier ticker, ScheduledExecutorService timer, Listener listener) {
    this(n -> java.util.Optional.ofNullable(view.tokens().get(n)).map(Versioned::value).orElse(null), view::settled,
        ticker, timer, listener);
  }

  /**
   * @param tokens the record of a token name, or null
   * @param settled whether {@code tokens} is known to show ZooKeeper's (see {@link ClusterView#settled})
   */
  TokenAuth(java.util.function.Function<String, TokenRecord> tokens, java.util.function.BooleanSupplier settled,
      LongSupplier ticker, ScheduledExecutorService timer, Listener listener) {
    this.tokens = tokens;
    this.settled = settled;
    this.ticker = ticker;
    this.timer = timer;
    this.listener = listener;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    Source source = source(Peer.current(), headers);
    Optional<String> token = Tokens.from(headers);
    Optional<String> name = token.flatMap(Tokens::nameOf);
    TokenRecord record = name.map(tokens).orElse(null);
    if (record == null || !Tokens.matches(token.get(), record.getSecretSha256().toByteArray())) {
      if (!settled.getAsBoolean()) {
        // The view is reading ZooKeeper again after an outage and may not show the token yet:
        // no verdict, and nothing counted against the caller.
        return refuse(call, Status.UNAVAILABLE.withDescription("this coordinator is catching up with ZooKeeper; retry"),
            0);
      }
      long now = ticker.getAsLong();
      long locked = throttle.lockedFor(source.key(), now);
      if (locked > 0) {
        String why = "too many failed attempts from " + source.key() + ": refused for "
            + (TimeUnit.NANOSECONDS.toSeconds(locked) + 1) + " s more";
        listener.refused("locked_out", method, source.shown(), Optional.empty(), why, null);
        return refuse(call, Status.UNAUTHENTICATED.withDescription(why), Throttle.MAX_DELAY_NANOS);
      }
      String why = token.isEmpty()
          ? "this call needs an administrator's token (the CLI reads it from --token-file, $SMBGW_TOKEN_FILE or "
              + "~/.config/smbgw/token)"
          : "the token is not valid (unknown, revoked or mistyped)";
      listener.refused("unauthenticated", method, source.shown(), Optional.empty(), why, null);
      return refuse(call, Status.UNAUTHENTICATED.withDescription(why), throttle.failed(source.key(), now));
    }
    // A valid token passes even from a locked-out source: the lockout slows guessing, it must not
    // let whoever shares an address with an administrator lock the administrator out.
    Role role = record.getToken().getRole();
    Role needed = Roles.needed(method);
    if (!Roles.allows(role, needed)) {
      String why = "token " + name.get() + " has role " + Tokens.roleName(role) + "; " + method + " needs "
          + Tokens.roleName(needed);
      String who = new Caller(name.get(), role, source.shown()).who();
      return refuseOnceRead(call, Status.PERMISSION_DENIED.withDescription(why),
          request -> listener.refused("denied", method, source.shown(), Optional.of(who), why, request));
    }
    return Contexts.interceptCall(Context.current().withValue(CALLER, new Caller(name.get(), role, source.shown())),
        call, headers, next);
  }

  /**
   * Where a call comes from: {@code shown} for people, {@code key} what failures are counted by.
   * A call a node passed on is counted by the address it names together with that node (taken
   * from its certificate, so a node can neither claim another's callers nor lock them out); an
   * IPv6 caller by its /64, since one host holds a whole prefix.
   */
  record Source(String shown, String key) {}

  private static final java.util.regex.Pattern FORWARDED =
      java.util.regex.Pattern.compile("(\\[[0-9a-fA-F:.]{2,45}\\]|[0-9.]{7,15}):\\d{1,5}");

  static Source source(Peer peer, Metadata headers) {
    String forwardedFor = headers.get(FORWARDED_FOR);
    if (forwardedFor != null && peer.names().isPresent() && FORWARDED.matcher(forwardedFor).matches()) {
      String via = " via " + peer.names().get().node();
      return new Source(forwardedFor + via, host(forwardedFor) + via);
    }
    return new Source(peer.address(), host(peer.address()));
  }

  /** The host of "host:port" or "[v6]:port", an IPv6 address cut to its /64. */
  static String host(String address) {
    int colon = address.lastIndexOf(':');
    String host = colon > 0 ? address.substring(0, colon) : address;
    if (!host.startsWith("[")) {
      return host;
    }
    try {
      byte[] a = java.net.InetAddress.getByName(host.substring(1, host.length() - 1)).getAddress();
      if (a.length == 16) {
        java.util.Arrays.fill(a, 8, 16, (byte) 0);
        return "[" + java.net.InetAddress.getByAddress(a).getHostAddress() + "]/64";
      }
    } catch (java.net.UnknownHostException e) {
      // a literal that does not parse: counted as written
    }
    return host;
  }

  /**
   * Refuses a call once its request is read (or the caller sent all it will without one), telling
   * {@code told} what was asked: the record of a denied call says what its caller tried. Only for
   * callers with a valid token; the others are refused unread, so that nobody can hold calls open
   * without one. No deadline of its own: a valid token may keep a call open anyway (any viewer's
   * {@code smbgw events --follow}).
   */
  private static <Q, R> ServerCall.Listener<Q> refuseOnceRead(ServerCall<Q, R> call, Status status,
      java.util.function.Consumer<Object> told) {
    java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.function.Consumer<Object> refuse = request -> {
      if (done.compareAndSet(false, true)) {
        told.accept(request);
        call.close(status, new Metadata());
      }
    };
    call.request(1);
    return new ServerCall.Listener<>() {
      @Override
      public void onMessage(Q message) {
        refuse.accept(message);
      }

      @Override
      public void onHalfClose() {
        refuse.accept(null);
      }

      @Override
      public void onCancel() {
        if (done.compareAndSet(false, true)) {
          told.accept(null); // the caller gave up first: nothing to close
        }
      }
    };
  }

  private <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, Status status, long delayNanos) {
    // Nothing else touches the call, so the timer's thread may close it; closing a call its
    // caller gave up on meanwhile is allowed and does nothing.
    Runnable close = () -> call.close(status, new Metadata());
    if (delayNanos <= 0) {
      close.run();
    } else {
      timer.schedule(close, delayNanos, TimeUnit.NANOSECONDS);
    }
    return new ServerCall.Listener<>() { };
  }
}
