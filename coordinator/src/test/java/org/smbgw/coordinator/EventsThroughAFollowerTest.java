package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.UserSpec;
import org.smbgw.proto.v1.WatchEventsRequest;

/**
 * {@code smbgw events --follow} through a follower: the follower passes the stream on to the
 * leader without a deadline of its own (it used to cut every forwarded call at 30 s).
 */
class EventsThroughAFollowerTest {
  @Test
  void aFollowedStreamThroughAFollowerOutlivesAMinute() throws Exception {
    try (Replicas r = new Replicas().start(2)) {
      Coordinator follower = r.follower();
      ManagedChannel ch = Replicas.channel(follower.address());
      r.closeables.add(ch::shutdownNow);
      LinkedBlockingQueue<Object> seen = new LinkedBlockingQueue<>();
      AdminServiceGrpc.newStub(ch).watchEvents(WatchEventsRequest.newBuilder().setFollow(true).build(),
          new StreamObserver<>() {
            @Override
            public void onNext(Event e) {
              seen.add(e);
            }

            @Override
            public void onError(Throwable t) {
              seen.add(t);
            }

            @Override
            public void onCompleted() {
              seen.add("completed");
            }
          });
      // The stream is on the clients' clock, not ours: it must outlive the old 30 s cut by far.
      Thread.sleep(Duration.ofSeconds(61).toMillis());
      AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS)
          .putUser(org.smbgw.proto.v1.PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("late")
              .setNtHash("8846F7EAEE8FB117AD06BDD830B7586C")).build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      Object last = null;
      while (System.nanoTime() < deadline) {
        last = seen.poll(1, TimeUnit.SECONDS);
        if (!(last instanceof Event e) || e.getSubject().equals("user/late")) {
          break;
        }
      }
      assertTrue(last instanceof Event, "the stream ended or stayed silent: " + last);
      assertEquals("user/late", ((Event) last).getSubject());
    }
  }
}
