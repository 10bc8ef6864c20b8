package org.smbgw.coordinator.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.Collection;
import org.smbgw.proto.v1.Event;

/**
 * One {@code watchEvents} call: the events after the caller's sequence number, in order, none
 * twice, sent only while the caller's transport can take them (gRPC flow control). What it cannot
 * take yet waits here; a follower that falls more than {@code maxBehind} live events behind is
 * dropped with a message saying where to follow again, rather than holding the replica's memory.
 * Thread-safe: events arrive on the view's thread, readiness on gRPC's.
 */
final class EventFeed {
  private final ServerCallStreamObserver<Event> call;
  private final int maxBehind;
  private final Runnable onEnd;
  private final ArrayDeque<Event> waiting = new ArrayDeque<>();
  /** Live events that came before the backlog was read: merged with it by sequence number. */
  private final java.util.TreeMap<Long, Event> early = new java.util.TreeMap<>();
  private boolean backlogIn;
  private boolean told;
  private long queued;
  private long sent;
  private int backlog;
  private boolean complete;
  private boolean ended;

  /**
   * Serves one {@code watchEvents} call from {@code view}: the backlog after the caller's
   * sequence number, then (with {@code follow}) live events until the caller leaves. A follower
   * whose token is revoked meanwhile is cut off with the event that says so (or the first after
   * its record is gone).
   */
  static void watch(org.smbgw.coordinator.state.ClusterView view, org.smbgw.proto.v1.WatchEventsRequest req,
      ServerCallStreamObserver<Event> out, int maxBehind) {
    java.util.concurrent.atomic.AtomicReference<java.util.function.Consumer<Event>> listener =
        new java.util.concurrent.atomic.AtomicReference<>();
    EventFeed feed = new EventFeed(out, req.getAfterSeq(), maxBehind, () -> {
      java.util.function.Consumer<Event> l = listener.getAndSet(null);
      if (l != null) {
        view.removeEventListener(l);
      }
    });
    if (req.getFollow()) {
      // Registered before the backlog is replayed; the sequence keeps order and drops nothing
      // and nothing twice.
      java.util.Optional<String> token = org.smbgw.coordinator.auth.TokenAuth.caller()
          .map(org.smbgw.coordinator.auth.TokenAuth.Caller::token);
      listener.set(e -> {
        if (token.isPresent() && revokes(token.get(), e, view.tokens()::containsKey)) {
          feed.refuse(Status.UNAUTHENTICATED.withDescription("token " + token.get() + " was revoked"));
        } else {
          feed.offer(e);
        }
      });
      view.onEvent(listener.get());
    }
    feed.backlog(view.events().tailMap(req.getAfterSeq(), false).values());
    if (!req.getFollow()) {
      feed.finish();
    }
  }

  /** @param onEnd told once when the feed ends, however it ends (stop listening to the view) */
  EventFeed(ServerCallStreamObserver<Event> call, long afterSeq, int maxBehind, Runnable onEnd) {
    this.call = call;
    this.queued = afterSeq;
    this.sent = afterSeq;
    this.maxBehind = maxBehind;
    this.onEnd = onEnd;
    call.setOnReadyHandler(this::drain);
    call.setOnCancelHandler(() -> {
      synchronized (this) {
        ended = true;
        waiting.clear();
        end();
      }
    });
  }

  /** Tells {@code onEnd}, once. */
  private void end() {
    if (!told) {
      told = true;
      onEnd.run();
    }
  }

  /** The events kept so far; counted apart from live ones, which alone can make a reader too slow. */
  synchronized void backlog(Collection<Event> events) {
    events.forEach(e -> early.put(e.getSeq(), e));
    early.values().forEach(this::enqueue);
    early.clear();
    backlogIn = true;
    backlog = waiting.size();
    drain();
  }

  /** A new event (from the view's listener). */
  synchronized void offer(Event e) {
    if (!backlogIn) {
      early.put(e.getSeq(), e); // the backlog may still hold older ones
      return;
    }
    enqueue(e);
    if (!ended && waiting.size() > backlog + maxBehind) {
      ended = true;
      waiting.clear();
      call.onError(Status.RESOURCE_EXHAUSTED.withDescription("this reader fell more than " + maxBehind
          + " events behind and was dropped; follow again from after event " + sent).asRuntimeException());
      end();
      return;
    }
    drain();
  }

  /**
   * Whether {@code e} ends the feed of a caller with {@code token}: the event of its revocation,
   * or any event once {@code exists} no longer knows the token (its record gone by other means, or
   * seen gone before its event came).
   */
  static boolean revokes(String token, Event e, java.util.function.Predicate<String> exists) {
    boolean itsRevocation = e.getKind().equals("token.revoked") && e.getSubject().equals("token/" + token);
    return itsRevocation || !exists.test(token);
  }

  /** Ends the feed at once with {@code status} (its caller may no longer read events). */
  synchronized void refuse(Status status) {
    if (!ended) {
      ended = true;
      waiting.clear();
      call.onError(status.asRuntimeException());
      end();
    }
  }

  /** No more events will come (not following): completes once the waiting ones are sent. */
  synchronized void finish() {
    complete = true;
    drain();
  }

  private void enqueue(Event e) {
    if (!ended && e.getSeq() > queued) {
      waiting.add(e);
      queued = e.getSeq();
    }
  }

  private synchronized void drain() {
    while (!ended && !waiting.isEmpty() && call.isReady()) {
      Event e = waiting.poll();
      call.onNext(e);
      sent = e.getSeq();
      backlog = Math.max(0, backlog - 1);
    }
    if (!ended && complete && waiting.isEmpty()) {
      ended = true;
      call.onCompleted();
      end();
    }
  }
}
