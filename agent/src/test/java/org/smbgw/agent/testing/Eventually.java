package org.smbgw.agent.testing;

import java.time.Duration;
import java.util.concurrent.Callable;

/** Polls until a condition holds: smbd applies a reload asynchronously after smbcontrol returns. */
public final class Eventually {
  private Eventually() {}

  public static <T> T until(Duration timeout, Callable<T> attempt, java.util.function.Predicate<T> done) throws Exception {
    long deadline = System.nanoTime() + TestTimeouts.scaled(timeout).toNanos();
    T last = attempt.call();
    while (!done.test(last) && System.nanoTime() < deadline) {
      Thread.sleep(100);
      last = attempt.call();
    }
    return last;
  }
}
