package org.smbgw.agent.zfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A FUSE daemon alive but hung (zfs-fuse, seen on this machine) blocks statfs for good: the
 * agent's pass asked on its own thread and never ended, so no share converged and the watchdog
 * fired. A mount that does not answer is not judged (a busy daemon must not have its mounts torn
 * away); a dead one (ENOTCONN) still is. The ask is the boundary here (a hung FUSE mount cannot be
 * made on purpose); the table's own threads and deadline are real.
 */
class AHungMountDoesNotHangThePassTest {
  @Test
  void aMountThatDoesNotAnswerNeitherHoldsThePassNorIsRemountedNorAskedAgainWhileStuck() throws Exception {
    CountDownLatch hung = new CountDownLatch(1);
    Map<String, AtomicInteger> asked = new ConcurrentHashMap<>();
    MountTable table = new MountTable(Path.of("/proc/self/mounts"), p -> {
      asked.computeIfAbsent(p.toString(), k -> new AtomicInteger()).incrementAndGet();
      if (p.toString().equals("/pool/hung")) {
        try {
          hung.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        return false;
      }
      return p.toString().equals("/pool/gone");
    }, Duration.ofMillis(300));
    List<String> mounts = List.of("/pool/fine", "/pool/hung", "/pool/gone");

    assertEquals(Set.of("/pool/gone"), table.dead(mounts), "the gone one is dead; the hung one is not judged");
    assertEquals(Set.of("/pool/gone"), table.dead(mounts), "still hung on the next pass, still not judged");
    assertEquals(1, asked.get("/pool/hung").get(), "a stuck ask is not repeated: one stuck thread per mount at most");
    assertEquals(2, asked.get("/pool/fine").get());

    hung.countDown(); // the daemon answers again (or was restarted)
    Thread.sleep(50);
    assertEquals(Set.of("/pool/gone"), table.dead(mounts));
    assertEquals(Set.of("/pool/gone"), table.dead(mounts));
    assertEquals(3, asked.get("/pool/hung").get(), "asked again on each pass once its last ask came back");
  }
}
