package org.smbgw.agent.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.NodeInventory;

/** A slow inventory never holds up a hello after the first, and what it finds later is handed on. */
class InventoryCollectorTest {
  private static NodeInventory samba(String version) {
    return NodeInventory.newBuilder().setSambaVersion(version).build();
  }

  @Test
  void onlyTheFirstHelloWaitsAndAHungGatherHoldsUpNoLaterOne() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    List<NodeInventory> handed = new CopyOnWriteArrayList<>();
    int[] calls = {0};
    try (InventoryCollector c = new InventoryCollector(() -> {
      if (++calls[0] == 2) {
        release.await(); // the second gather hangs, as on a dead NFS mount
      }
      return samba("4.17." + calls[0]);
    }, Duration.ofSeconds(30), handed::add, System::nanoTime)) {
      assertEquals("4.17.1", c.forHello().getSambaVersion(), "the first hello waits for the first inventory");
      assertEquals(1, calls[0], "a hello starts no gather of its own once there is an inventory");
      long before = System.nanoTime();
      c.refresh(); // the periodic look: this gather hangs
      assertEquals("4.17.1", c.forHello().getSambaVersion(), "a later hello takes the last one");
      c.refresh();
      assertEquals("4.17.1", c.forHello().getSambaVersion(), "and no second gather queues behind the hung one");
      assertTrue(System.nanoTime() - before < TimeUnit.SECONDS.toNanos(5), "later hellos return at once");
      release.countDown();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (handed.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(List.of(samba("4.17.1"), samba("4.17.2")), handed, "every inventory taken is handed on");
    }
  }

  @Test
  void aFirstInventoryThatNeverComesLetsTheHelloGoWithoutOne() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    try (InventoryCollector c = new InventoryCollector(() -> {
      never.await();
      return samba("x");
    }, Duration.ofMillis(200), i -> { }, System::nanoTime)) {
      assertEquals(NodeInventory.getDefaultInstance(), c.forHello());
      long before = System.nanoTime();
      c.forHello();
      assertTrue(System.nanoTime() - before < TimeUnit.MILLISECONDS.toNanos(150), "only the first hello waits");
    }
  }
}
