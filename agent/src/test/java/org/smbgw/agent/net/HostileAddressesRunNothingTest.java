package org.smbgw.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.net.AddressPlan.Holding;
import org.smbgw.agent.testing.ManualScheduler;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;
import org.smbgw.proto.v1.TcpConnection;

/**
 * Addresses and interfaces reach {@code ip -batch}, which runs as root, as text lines. Values a
 * coordinator sends are checked again on the node: a hand-made grant carrying a newline and
 * another {@code ip} command runs no {@code ip} at all (the real runner and kernel code, with the
 * runner's per-tool timer counting every call) and is reported, naming the field; so is a tickle
 * naming a host instead of an address.
 */
class HostileAddressesRunNothingTest {
  private static final String HOSTILE = "10.0.0.5/24 dev lo\naddr add 192.0.2.99/32 dev lo";
  private final MetricRegistry registry = new MetricRegistry();
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(registry), Duration.ofSeconds(10));
  private final ManualScheduler clock = new ManualScheduler();
  private Path held;
  private KernelAddresses kernel;
  private AddressKeeper keeper;

  private long ipCalls() {
    return registry.timer("smbgw.agent.exec.duration.ip").getCount();
  }

  private boolean loopbackHas(String address) throws Exception {
    return runner.run(Command.of("ip", "-o", "addr", "show", "dev", "lo")).stdout().contains(address);
  }

  @AfterEach
  void close() throws Exception {
    if (keeper != null) {
      keeper.close();
    }
    runner.close();
    if (held != null) {
      Files.deleteIfExists(held);
    }
  }

  private void start() throws Exception {
    held = Files.createTempFile("smbgw-held-", "");
    kernel = new KernelAddresses(runner, TcpTable.proc(), new HeldAddresses(held));
    keeper = new AddressKeeper(kernel, Duration.ofSeconds(2), clock::nanoTime, Clock.systemUTC(), clock);
  }

  @Test
  void aGrantCarryingAnotherIpCommandRunsNoIpAndIsReported() throws Exception {
    start();
    List<LeaseRenewal> sent = new ArrayList<>();
    int[] stalls = {0};
    keeper.start(new AddressKeeper.Channel() {
      @Override
      public java.util.OptionalLong send(LeaseRenewal r) {
        sent.add(r);
        return java.util.OptionalLong.of(clock.nanoTime());
      }

      @Override
      public void stalled(boolean answered) {
        stalls[0]++;
      }

      @Override
      public long streamOpenedNanos() {
        return 0;
      }
    });
    // The node wants the address the hostile entry names, so only the check stands in the way.
    keeper.update(NodeDesiredState.newBuilder().addShares(ShareSpec.newBuilder().setName("docs").setAddress("10.0.0.5/24"))
        .build(), NodeObservedState.newBuilder().addShares(ShareStatus.newBuilder().setName("docs")
        .setState(ShareState.SHARE_STATE_ACTIVE)).build());
    clock.advance(Duration.ofMillis(50));
    assertFalse(sent.isEmpty(), "the keeper asked for a lease");
    keeper.granted(LeaseGrant.newBuilder().setSeq(sent.get(sent.size() - 1).getSeq()).setLeaseMillis(2000)
        .addAddresses(AddressAssignment.newBuilder().setAddress(HOSTILE).setInterface("lo"))
        .addAddresses(AddressAssignment.newBuilder().setAddress("10.0.0.6/24").setInterface("lo")
            .addTickles(TcpConnection.newBuilder().setClient("evil.example:445").setServer("10.0.0.6:445")))
        .build());
    clock.advance(Duration.ofMillis(50));
    assertEquals(0, ipCalls(), "no ip ran");
    String problem = keeper.problem().orElseThrow();
    assertTrue(problem.contains("grant.addresses[0].address"), problem);
    assertTrue(problem.contains("grant.addresses[1].tickles[0]"), "a host name would be a DNS lookup as root: " + problem);
    assertTrue(keeper.held().isEmpty());
    assertEquals(0, stalls[0], "the lease still counts: every replica would send the same grant");
    assertFalse(loopbackHas("192.0.2.99"));
  }

  @Test
  void linesAreBuiltOnlyFromValuesThatPassTheRulesAgain() throws Exception {
    start();
    String outcome = kernel.change(List.of(), List.of(new Holding("10.0.0.5", "10.0.0.5/24", "lo\naddr add 192.0.2.99/32 dev lo", 0, 0,
        AddressAssignment.getDefaultInstance())), () -> 2, List.of(new Holding("x", HOSTILE, "lo", 0, 0,
        AddressAssignment.getDefaultInstance())));
    assertTrue(outcome.startsWith("no address changed") && outcome.contains("interface") && outcome.contains("address"),
        outcome);
    assertEquals(0, ipCalls(), "no ip ran");
    assertFalse(loopbackHas("192.0.2.99"));
  }
}
