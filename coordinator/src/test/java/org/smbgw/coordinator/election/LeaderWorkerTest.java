package org.smbgw.coordinator.election;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A leader's background work stops with its term. */
class LeaderWorkerTest {
  /**
   * A run waiting on a write (here: on a latch nobody counts down) when the replica is deposed is
   * interrupted: it stops waiting and sees its term is over; the next term runs again.
   */
  @Test
  void aRunUnderWayWhenTheLeaderIsDeposedIsInterruptedAndTheNextTermRunsAgain() throws Exception {
    CountDownLatch started = new CountDownLatch(1);
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch secondTerm = new CountDownLatch(1);
    AtomicInteger runs = new AtomicInteger();
    boolean[] stillLeading = new boolean[1];
    Term first = new Term(1, 1);
    Term second = new Term(2, 2);
    LeaderWorker worker = new LeaderWorker("smbgw-test-worker", 0) {
      @Override
      protected void run(Term t) {
        runs.incrementAndGet();
        if (t == second) {
          secondTerm.countDown();
          return;
        }
        started.countDown();
        try {
          new CountDownLatch(1).await();
        } catch (InterruptedException e) {
          stillLeading[0] = leading(t);
          interrupted.countDown();
        }
      }
    };
    try {
      worker.elected(first);
      assertTrue(started.await(10, TimeUnit.SECONDS), "the first term's run started");
      worker.deposed();
      assertTrue(interrupted.await(10, TimeUnit.SECONDS), "the deposed leader's run was interrupted");
      assertFalse(stillLeading[0], "and it sees its term is over");
      worker.elected(second);
      assertTrue(secondTerm.await(10, TimeUnit.SECONDS), "the next term runs");
      assertEquals(2, runs.get());
    } finally {
      worker.close();
    }
  }
}
