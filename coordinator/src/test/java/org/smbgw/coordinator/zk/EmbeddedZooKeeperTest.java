package org.smbgw.coordinator.zk;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded server either serves its port or fails the start. */
class EmbeddedZooKeeperTest {
  @TempDir
  Path dir;

  @Test
  void aPortAlreadyTakenFailsTheStartInsteadOfLeavingTheReplicaOnAnotherServer() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> new EmbeddedZooKeeper(dir, "127.0.0.1", taken.getLocalPort()).close());
      assertTrue(e.getMessage().contains("embeddedZooKeeperPort"), e.getMessage());
    }
    try (java.util.stream.Stream<Path> left = java.nio.file.Files.list(dir)) {
      assertTrue(left.noneMatch(p -> p.getFileName().toString().startsWith("zookeeper.configuration")));
    }
  }
}
