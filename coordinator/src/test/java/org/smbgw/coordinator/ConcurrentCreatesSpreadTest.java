package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.ListSharesRequest;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;

/**
 * 100 shares created at once by 10 clients through three replicas, on three nodes of equal
 * capacity, end up spread as a sequential run spreads them: each decision sees the ones before it
 * (the placement once read a view that trailed the leader's own writes, so a burst piled up on one
 * node).
 */
class ConcurrentCreatesSpreadTest {
  @Test
  void aHundredConcurrentCreatesSpreadEvenly() throws Exception {
    try (Replicas r = new Replicas().start(3)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      for (String node : List.of("n1", "n2", "n3")) {
        r.agent(node, leader.address(), Replicas.localZfs());
      }
      ExecutorService clients = Executors.newFixedThreadPool(10);
      List<ManagedChannel> channels = new ArrayList<>();
      try {
        List<Future<?>> calls = new ArrayList<>();
        for (int c = 0; c < 10; c++) {
          ManagedChannel ch = Replicas.channel(r.coordinators.get(c % 3).address());
          channels.add(ch);
          AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(ch)
              .withDeadlineAfter(60, TimeUnit.SECONDS);
          int client = c;
          calls.add(clients.submit(() -> {
            for (int i = 0; i < 10; i++) {
              admin.createShare(CreateShareRequest.newBuilder().setSpec(ShareSpec.newBuilder()
                  .setName("c" + client + "s" + i).setStorage(Storage.newBuilder().setPve("local-zfs"))
                  .setRead(Access.newBuilder().addGroups("staff"))).build());
            }
            return null;
          }));
        }
        for (Future<?> f : calls) {
          f.get();
        }
        List<Share> shares = AdminServiceGrpc.newBlockingStub(channels.get(0)).listShares(
            ListSharesRequest.getDefaultInstance()).getSharesList();
        assertEquals(100, shares.size());
        Map<String, Integer> perNode = new TreeMap<>();
        shares.forEach(s -> perNode.merge(s.getNode(), 1, Integer::sum));
        assertEquals(3, perNode.size(), perNode.toString());
        int most = perNode.values().stream().max(Integer::compare).orElseThrow();
        int least = perNode.values().stream().min(Integer::compare).orElseThrow();
        assertTrue(most - least <= 1, "spread " + perNode + "; a sequential run gives 34/33/33");
      } finally {
        clients.shutdownNow();
        channels.forEach(ManagedChannel::shutdownNow);
      }
    }
  }
}
