package org.smbgw.coordinator.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Event;

/**
 * Flow control of one events stream, against a stand-in for gRPC's server call (the transport's
 * readiness is what is under test, and a real slow reader would take minutes to fill a window).
 */
class EventFeedTest {
  /** A server call whose readiness the test sets; records what it was sent. */
  private static final class Call extends ServerCallStreamObserver<Event> {
    boolean ready;
    Runnable onReady = () -> { };
    final List<Long> sent = new ArrayList<>();
    Throwable error;
    boolean completed;

    void becomeReady() {
      ready = true;
      onReady.run();
    }

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable r) {
      onReady = r;
    }

    @Override
    public void onNext(Event e) {
      sent.add(e.getSeq());
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {
      completed = true;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public void setOnCancelHandler(Runnable r) {}

    @Override
    public void setCompression(String c) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int n) {}

    @Override
    public void setMessageCompression(boolean b) {}
  }

  private static Event event(long seq) {
    return Event.newBuilder().setSeq(seq).setKind("test").build();
  }

  @Test
  void eventsWaitForTheReaderAndArriveInOrderOnceEach() {
    Call call = new Call();
    AtomicInteger ended = new AtomicInteger();
    EventFeed feed = new EventFeed(call, 2, 10, ended::incrementAndGet);
    feed.backlog(LongStream.rangeClosed(3, 5).mapToObj(EventFeedTest::event).toList());
    feed.offer(event(5)); // seen in the backlog already
    feed.offer(event(6));
    assertEquals(List.of(), call.sent, "nothing is written while the transport cannot take it");
    call.becomeReady();
    assertEquals(List.of(3L, 4L, 5L, 6L), call.sent);
    feed.finish();
    assertTrue(call.completed);
    assertEquals(1, ended.get());
  }

  @Test
  void aFollowerThatFallsTooFarBehindIsDroppedWithWhereToFollowAgain() {
    Call call = new Call();
    AtomicInteger ended = new AtomicInteger();
    EventFeed feed = new EventFeed(call, 0, 10, ended::incrementAndGet);
    feed.backlog(LongStream.rangeClosed(1, 50).mapToObj(EventFeedTest::event).toList());
    call.ready = true;
    feed.offer(event(51)); // sends everything that waited
    call.ready = false;
    for (long seq = 52; seq <= 62; seq++) {
      feed.offer(event(seq));
    }
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, Status.fromThrowable(call.error).getCode());
    assertTrue(call.error.getMessage().contains("follow again from after event 51"), call.error.getMessage());
    assertEquals(1, ended.get(), "the view stops feeding it");
    call.becomeReady();
    assertEquals(51, call.sent.size(), "nothing after the drop");
  }

  @Test
  void aLongBacklogIsNotMistakenForASlowReader() {
    Call call = new Call();
    EventFeed feed = new EventFeed(call, 0, 10, () -> { });
    feed.backlog(LongStream.rangeClosed(1, 500).mapToObj(EventFeedTest::event).toList());
    feed.offer(event(501));
    assertEquals(null, call.error);
    call.becomeReady();
    assertEquals(501, call.sent.size());
  }

  @Test
  void aLiveEventThatComesBeforeTheBacklogIsReadLosesNoOlderOne() {
    Call call = new Call();
    call.ready = true;
    EventFeed feed = new EventFeed(call, 0, 10, () -> { });
    feed.offer(event(5)); // the listener is registered before the backlog is read
    feed.backlog(LongStream.rangeClosed(1, 4).mapToObj(EventFeedTest::event).toList());
    feed.offer(event(6));
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), call.sent);
  }

  @Test
  void aFollowerIsCutOffByItsTokensRevocationOrOnceItsTokenIsGone() {
    java.util.Set<String> tokens = new java.util.HashSet<>(java.util.Set.of("dash", "ops"));
    Event revokedDash = Event.newBuilder().setKind("token.revoked").setSubject("token/dash").build();
    Event revokedOps = Event.newBuilder().setKind("token.revoked").setSubject("token/ops").build();
    Event createdDash = Event.newBuilder().setKind("token.created").setSubject("token/dash").build();
    Event other = Event.newBuilder().setKind("share.created").setSubject("share/a").build();
    org.junit.jupiter.api.Assertions.assertTrue(EventFeed.revokes("dash", revokedDash, tokens::contains),
        "its revocation, even before the view shows the record gone");
    org.junit.jupiter.api.Assertions.assertFalse(EventFeed.revokes("dash", revokedOps, tokens::contains));
    org.junit.jupiter.api.Assertions.assertFalse(EventFeed.revokes("dash", createdDash, tokens::contains));
    org.junit.jupiter.api.Assertions.assertFalse(EventFeed.revokes("dash", other, tokens::contains));
    tokens.remove("dash");
    org.junit.jupiter.api.Assertions.assertTrue(EventFeed.revokes("dash", other, tokens::contains), "its record is gone");
  }
}
