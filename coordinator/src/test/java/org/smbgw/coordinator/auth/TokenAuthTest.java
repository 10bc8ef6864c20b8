package org.smbgw.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.common.auth.Tokens;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.Token;
import org.smbgw.proto.v1.TokenRecord;

/**
 * The check itself, on calls made by hand: which calls go through, which are refused with what,
 * after which delay (a timer that records delays and runs at once), and what the listener hears.
 */
class TokenAuthTest {
  private static final String ADMIN = Tokens.mint("root");
  private static final String VIEWER = Tokens.mint("dash");
  private static final Map<String, TokenRecord> RECORDS = Map.of("root", record(ADMIN, Role.ROLE_ADMIN),
      "dash", record(VIEWER, Role.ROLE_VIEWER));

  private static TokenRecord record(String token, Role role) {
    return TokenRecord.newBuilder().setToken(Token.newBuilder().setName(Tokens.nameOf(token).orElseThrow()).setRole(role))
        .setSecretSha256(ByteString.copyFrom(Tokens.sha256(token))).build();
  }

  /** Runs what it is given at once, keeping the delay asked for. */
  private static final class RecordingTimer extends ScheduledThreadPoolExecutor {
    final List<Long> delaysMs = new ArrayList<>();

    RecordingTimer() {
      super(1);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
      delaysMs.add(unit.toMillis(delay));
      command.run();
      return null;
    }
  }

  /** A call that keeps how it was closed. */
  private static final class Call extends ServerCall<Object, Object> {
    final MethodDescriptor<?, ?> method;
    Status closed;

    Call(MethodDescriptor<?, ?> method) {
      this.method = method;
    }

    @Override
    public void request(int n) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(Object message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      closed = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @SuppressWarnings("unchecked")
    @Override
    public MethodDescriptor<Object, Object> getMethodDescriptor() {
      return (MethodDescriptor<Object, Object>) method;
    }
  }

  private final RecordingTimer timer = new RecordingTimer();
  private final List<String> heard = new ArrayList<>();
  private final AtomicBoolean settled = new AtomicBoolean(true);
  private final TokenAuth auth = new TokenAuth(RECORDS::get, settled::get, () -> 0L, timer,
      (reason, method, from, caller, why, request) -> heard.add(reason + " " + method
          + (request == null ? "" : " " + Redact.json(request))));

  @AfterEach
  void stop() {
    timer.shutdownNow();
  }

  /** Makes a call with {@code token} (null: none); returns how it was refused, or null when it went through. */
  private Status call(MethodDescriptor<?, ?> method, String token) {
    return call(method, token, null);
  }

  /** The same, the caller sending {@code request} (if any) and then all it will. */
  private Status call(MethodDescriptor<?, ?> method, String token, Object request) {
    Call c = new Call(method);
    AtomicBoolean served = new AtomicBoolean();
    io.grpc.ServerCallHandler<Object, Object> serve = (call, headers) -> {
      served.set(true);
      return new ServerCall.Listener<Object>() { };
    };
    ServerCall.Listener<Object> listener = auth.interceptCall(c, token == null ? new Metadata() : Tokens.headers(token), serve);
    if (request != null) {
      listener.onMessage(request);
    }
    listener.onHalfClose();
    assertEquals(served.get(), c.closed == null, "a call is either served or refused");
    return c.closed;
  }

  @Test
  void wrongTokensWaitLongerEachTimeThenTheSourceIsLockedOutButAValidTokenStillPasses() {
    var list = AdminServiceGrpc.getListSharesMethod();
    assertEquals(Status.Code.UNAUTHENTICATED, call(list, null).getCode());
    for (int i = 1; i < Throttle.LOCK_AFTER; i++) {
      assertEquals(Status.Code.UNAUTHENTICATED, call(list, "root." + "x".repeat(43)).getCode());
    }
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 3200L, 3200L, 3200L, 3200L), timer.delaysMs);
    Status locked = call(list, "nobody." + "y".repeat(43));
    assertTrue(locked.getDescription().contains("too many failed attempts"), locked.toString());
    assertEquals(3200L, timer.delaysMs.get(timer.delaysMs.size() - 1));
    assertEquals(null, call(list, ADMIN), "an administrator sharing the address is not locked out");
    assertEquals(List.of("unauthenticated ListShares"), heard.subList(0, 1));
    assertEquals("locked_out ListShares", heard.get(heard.size() - 1));
  }

  @Test
  void aRoleThatDoesNotAllowTheCallIsDeniedAtOnceNamingTheRoleItNeeds() {
    assertEquals(null, call(AdminServiceGrpc.getListSharesMethod(), VIEWER));
    Status denied = call(AdminServiceGrpc.getCreateShareMethod(), VIEWER, org.smbgw.proto.v1.CreateShareRequest.newBuilder()
        .setSpec(org.smbgw.proto.v1.ShareSpec.newBuilder().setName("plans")).build());
    assertEquals(Status.Code.PERMISSION_DENIED, denied.getCode());
    assertEquals("token dash has role viewer; CreateShare needs admin", denied.getDescription());
    assertEquals(List.of(), timer.delaysMs, "no delay: the token was valid");
    assertEquals(List.of("denied CreateShare {\"spec\":{\"name\":\"plans\"}}"), heard, "what was asked, read first");
    heard.clear();
    assertEquals(Status.Code.PERMISSION_DENIED, call(AdminServiceGrpc.getPutUserMethod(), VIEWER,
        org.smbgw.proto.v1.PutUserRequest.newBuilder().setSpec(org.smbgw.proto.v1.UserSpec.newBuilder().setName("eve")
            .setNtHash("8846F7EAEE8FB117AD06BDD830B7586C")).build()).getCode());
    assertEquals(1, heard.size());
    assertTrue(heard.get(0).contains("eve") && !heard.get(0).contains("8846F7EAEE8FB117AD06BDD830B7586C"), heard.get(0));
  }

  @Test
  void whileTheViewCatchesUpAnUnknownTokenIsToldToRetryAndNotCountedAgainstTheCaller() {
    settled.set(false);
    assertEquals(null, call(AdminServiceGrpc.getListSharesMethod(), ADMIN), "a token the view shows still passes");
    assertEquals(Status.Code.UNAVAILABLE, call(AdminServiceGrpc.getListSharesMethod(), "root." + "x".repeat(43)).getCode());
    settled.set(true);
    call(AdminServiceGrpc.getListSharesMethod(), "root." + "x".repeat(43));
    assertEquals(List.of(100L), timer.delaysMs, "the first failure that counted is the first");
  }
}
