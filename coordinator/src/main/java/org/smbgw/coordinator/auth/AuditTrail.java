package org.smbgw.coordinator.auth;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.zookeeper.CreateMode;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Json;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AuditRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail (DESIGN section 6): every admin call that may change something ({@link
 * Roles#changes}) and every refused call, as an {@link AuditRecord}: one JSON line in
 * the journal ("smbgw.audit"), and a sequential znode under {@link ZkPaths#AUDIT}, of which the
 * newest {@code keep} are kept. Written in the background: a call never waits for its record, and
 * a record that cannot be written is logged, not retried. Requests are kept with their secrets
 * replaced ({@link Redact}); a refused call is recorded before its request was read.
 */
public final class AuditTrail implements TokenAuth.Listener {
  private static final Logger journal = LoggerFactory.getLogger("smbgw.audit");
  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);
  private final CuratorFramework zk;
  private final ClusterView view;
  private final int keep;
  private final Clock clock;

  /** @param keep how many records to keep; older ones are dropped */
  public AuditTrail(CuratorFramework zk, ClusterView view, int keep, Clock clock) {
    this.zk = zk;
    this.view = view;
    this.keep = keep;
    this.clock = clock;
  }

  /** Refused calls recorded in ZooKeeper per {@link #REFUSALS_WINDOW_MS}; the rest go to the journal only. */
  static final int REFUSALS_PER_WINDOW = 60;
  static final long REFUSALS_WINDOW_MS = 60_000;
  private long windowStart = Long.MIN_VALUE / 2;
  private int windowRecorded;
  private int windowSkipped;

  /**
   * Whether a refusal may also be written to ZooKeeper: not one from a locked-out source or a
   * stream without a certificate, and no
   * more than {@link #REFUSALS_PER_WINDOW} a minute, so that a flood of bad calls neither loads
   * ZooKeeper nor pushes the record of real changes out of the trail. When it may, how many were
   * left out in the window before, to say so in its record.
   */
  private synchronized Optional<Integer> admit(String reason, long now) {
    int before = 0;
    if (now - windowStart >= REFUSALS_WINDOW_MS) {
      before = windowSkipped;
      windowStart = now;
      windowRecorded = 0;
      windowSkipped = 0;
    }
    // Neither a locked-out source nor a stream without any certificate (nothing throttles those,
    // and anyone can open one) may spend the window's records.
    if (reason.equals("locked_out") || reason.equals("no_certificate") || windowRecorded >= REFUSALS_PER_WINDOW) {
      windowSkipped++;
      return Optional.empty();
    }
    windowRecorded++;
    return Optional.of(before);
  }

  @Override
  public void refused(String reason, String method, String from, Optional<String> who, String why, Object request) {
    AuditRecord r = AuditRecord.newBuilder().setWho(who.orElse("anonymous")).setFrom(from).setMethod(method)
        .setRequest(Redact.json(request))
        .setResult(reason.equals("denied") ? Status.Code.PERMISSION_DENIED.name() : Status.Code.UNAUTHENTICATED.name())
        .setMessage(why).build();
    Optional<Integer> admitted = admit(reason, clock.millis());
    if (admitted.isEmpty()) {
      toJournal(r.toBuilder().setTimeMillis(clock.millis()).build());
    } else {
      record(admitted.get() == 0 ? r : r.toBuilder().setMessage(why + " (and " + admitted.get()
          + " refused call(s) in the minute before, in the journal only)").build());
    }
  }

  /** Records each call that may change something, once it ends; runs after {@link TokenAuth}. */
  public ServerInterceptor interceptor() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        String method = call.getMethodDescriptor().getBareMethodName();
        if (!Roles.changes(method)) {
          return next.startCall(call, headers);
        }
        // Taken now: the call may end on another thread, outside its context.
        String who = TokenAuth.caller().map(TokenAuth.Caller::who).orElse("anonymous");
        String from = TokenAuth.caller().map(TokenAuth.Caller::from).orElse("");
        AtomicReference<Object> request = new AtomicReference<>();
        ServerCall<Q, R> watched = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            try {
              record(AuditRecord.newBuilder().setWho(who).setFrom(from).setMethod(method)
                  .setRequest(Redact.json(request.get())).setResult(status.getCode().name())
                  .setMessage(status.getDescription() == null ? "" : status.getDescription()).build());
            } finally {
              super.close(status, trailers);
            }
          }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(watched, headers)) {
          @Override
          public void onMessage(Q message) {
            request.compareAndSet(null, message);
            super.onMessage(message);
          }
        };
      }
    };
  }

  /** Logs {@code r} (stamped now) as one JSON line and adds it to the trail. */
  void record(AuditRecord r) {
    AuditRecord stamped = r.toBuilder().setTimeMillis(clock.millis()).build();
    toJournal(stamped);
    try {
      zk.create().withMode(CreateMode.PERSISTENT_SEQUENTIAL).inBackground((client, event) -> {
        if (event.getResultCode() != 0) {
          log.warn("audit record of {} not written: {}", r.getMethod(),
              org.apache.zookeeper.KeeperException.Code.get(event.getResultCode()));
        } else {
          trim(Long.parseLong(event.getName().substring(ZkPaths.AUDIT_PREFIX.length())) + 1);
        }
      }).forPath(ZkPaths.AUDIT_PREFIX, Json.bytes(stamped));
    } catch (Exception e) {
      log.warn("audit record of {} not written: {}", r.getMethod(), e.toString());
    }
  }

  private static void toJournal(AuditRecord r) {
    try {
      journal.info(JsonFormat.printer().omittingInsignificantWhitespace().print(r));
    } catch (InvalidProtocolBufferException e) {
      journal.info("{}", r);
    }
  }

  /** The position up to which records were asked to be dropped: none is asked twice. */
  private final java.util.concurrent.atomic.AtomicLong trimmedThrough = new java.util.concurrent.atomic.AtomicLong();

  /**
   * Drops the records more than {@code keep} before the one just made at {@code created}: the one
   * that fell out of the window with it (the view may not show it yet), and any older the view
   * still shows.
   */
  private void trim(long created) {
    long cutoff = created - keep;
    if (cutoff < 1) {
      return;
    }
    long from = trimmedThrough.getAndAccumulate(cutoff, Math::max);
    if (from >= cutoff) {
      return;
    }
    // From the last cut, or the first time from the oldest the view shows (a trail kept under a
    // larger bound before).
    long first = from > 0 ? from + 1 : Math.min(cutoff, view.audit().isEmpty() ? cutoff : view.audit().firstKey());
    for (long seq = first; seq <= cutoff; seq++) {
      try {
        zk.delete().inBackground().forPath(ZkPaths.AUDIT_PREFIX + String.format("%010d", seq - 1));
      } catch (Exception e) {
        log.debug("cannot drop audit record {}: {}", seq, e.toString());
        return;
      }
    }
  }

  /**
   * What {@code smbgw audit} asked for: the newest records (at most {@code limit}, 1000 when 0)
   * at or after {@code since}, of one token when {@code who} names one, oldest first.
   *
   * @throws org.smbgw.common.InvalidSpecException naming {@code limit} outside 0 to 5000
   */
  public static org.smbgw.proto.v1.ListAuditResponse newest(java.util.NavigableMap<Long, AuditRecord> audit,
      org.smbgw.proto.v1.ListAuditRequest req) throws org.smbgw.common.InvalidSpecException {
    if (req.getLimit() < 0 || req.getLimit() > 5000) {
      throw new org.smbgw.common.InvalidSpecException(java.util.List.of(new org.smbgw.common.Violation("limit",
          "1 to 5000, or 0 for 1000 (got " + req.getLimit() + ")")));
    }
    int limit = req.getLimit() == 0 ? 1000 : req.getLimit();
    String who = "token " + req.getWho() + " (";
    java.util.ArrayDeque<AuditRecord> newest = new java.util.ArrayDeque<>();
    for (AuditRecord r : audit.descendingMap().values()) {
      if (newest.size() == limit) {
        break;
      }
      if (r.getTimeMillis() >= req.getSinceMillis() && (req.getWho().isEmpty() || r.getWho().startsWith(who))) {
        newest.addFirst(r);
      }
    }
    return org.smbgw.proto.v1.ListAuditResponse.newBuilder().addAllRecords(newest).build();
  }
}
