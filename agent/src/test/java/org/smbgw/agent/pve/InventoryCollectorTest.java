package org.smbgw.agent.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.agent.testing.ManualScheduler;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.StorageOffer;

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

  @Test
  void aStorageAddedToStorageCfgWhileRunningIsOfferedWithinOneResyncInterval(@TempDir Path dir) throws Exception {
    Path cfg = dir.resolve("storage.cfg");
    Files.writeString(cfg, "zfspool: tank\n\tpool tank\n");
    StorageCatalog catalog = new StorageCatalog(cfg);
    ManualScheduler time = new ManualScheduler();
    Duration resync = Duration.ofSeconds(30);
    List<NodeInventory> handed = new CopyOnWriteArrayList<>();
    try (InventoryCollector c = new InventoryCollector(() -> {
      NodeInventory.Builder b = NodeInventory.newBuilder();
      catalog.current().keySet().forEach(id -> b.addStorages(StorageOffer.newBuilder().setId(id)));
      return b.build();
    }, Duration.ofSeconds(30), handed::add, time::nanoTime, time)) {
      c.start(Duration.ofMinutes(10), resync, catalog::changed);
      time.advance(Duration.ofMillis(1));
      assertEquals(List.of("tank"), ids(c.latest()));

      Files.writeString(cfg, "zfspool: tank\n\tpool tank\n\ndir: backup\n\tpath /srv/backup\n");
      time.advance(resync);
      assertEquals(List.of("tank", "backup"), ids(c.latest()), "added storage offered within one resync interval");

      Files.writeString(cfg, "dir: backup\n\tpath /srv/backup\n");
      time.advance(resync);
      assertEquals(List.of("backup"), ids(c.latest()), "removed storage no longer offered");
      int taken = handed.size();
      time.advance(resync.multipliedBy(3));
      assertEquals(taken, handed.size(), "an unchanged storage.cfg asks for no inventory before the periodic one");
    }
  }

  private static List<String> ids(NodeInventory inv) {
    return inv.getStoragesList().stream().map(StorageOffer::getId).toList();
  }
}
