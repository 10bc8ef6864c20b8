package org.smbgw.agent.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.net.AddressPlan.Holding;
import org.smbgw.common.Trees;
import org.smbgw.proto.v1.AddressAssignment;

/**
 * The real {@code ip} and kernel, on this host's loopback with a documentation address
 * (192.0.2.0/24, never routed): a lifetime is counted only once ip is running and about to read
 * it, and none at all means nothing is added.
 */
class KernelAddressesTest {
  private static final String CIDR = "192.0.2.77/32";
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new MetricRegistry()), Duration.ofSeconds(10));
  private final Holding holding = new Holding("192.0.2.77", CIDR, "lo", 0, 0, AddressAssignment.getDefaultInstance());
  private Path held;
  private KernelAddresses kernel;

  @BeforeEach
  void start() throws Exception {
    held = Files.createTempFile("smbgw-held-", "");
    kernel = new KernelAddresses(runner, TcpTable.proc(), new HeldAddresses(held));
  }

  @AfterEach
  void close() throws Exception {
    runner.runAllowingFailure(Command.of("ip", "addr", "del", CIDR, "dev", "lo"));
    kernel.close();
    runner.close();
    Files.deleteIfExists(held);
  }

  /** The address's valid lifetime as the kernel has it, in seconds; -1 when it is not there. */
  private long validLifetime() throws Exception {
    Object links = Trees.PLAIN_JSON.anyFrom(runner.run(Command.of("ip", "-j", "addr", "show", "dev", "lo")).stdout());
    for (Object link : Trees.elements(links)) {
      for (Object a : Trees.elements(Trees.get(link, "addr_info"))) {
        if ("192.0.2.77".equals(Trees.text(Trees.get(a, "local"), ""))) {
          return Trees.number(Trees.get(a, "valid_life_time"), -1);
        }
      }
    }
    return -1;
  }

  @Test
  void theLifetimeIsCountedOnlyOnceIpIsRunning() throws Exception {
    boolean[] ipWasRunning = {false};
    String failed = kernel.change(List.of(holding), List.of(), () -> {
      ipWasRunning[0] = ProcessHandle.current().children()
          .anyMatch(p -> p.info().command().map(c -> c.endsWith("/ip")).orElse(false));
      return 1;
    }, List.of());
    assertEquals("", failed);
    assertTrue(ipWasRunning[0], "the lifetime was asked for before ip was running");
    long valid = validLifetime();
    assertTrue(valid >= 0 && valid <= 1, "the kernel has " + CIDR + " with a lifetime of " + valid + " s");
  }

  @Test
  void anAddressTheNodeHasAsItsOwnIsNotTakenOver() throws Exception {
    runner.run(Command.of("ip", "addr", "add", CIDR, "dev", "lo")); // an administrator's, no lifetime
    String failed = kernel.change(List.of(holding), List.of(), () -> 1, List.of());
    assertFalse(failed.isEmpty(), "adding over it must fail");
    assertEquals(4294967295L, validLifetime(), "it keeps no lifetime (forever)");
  }

  @Test
  void aHeldAddressIsRefreshedInPlace() throws Exception {
    assertEquals("", kernel.change(List.of(holding), List.of(), () -> 1, List.of()));
    assertEquals("", kernel.change(List.of(), List.of(holding), () -> 3, List.of()));
    long valid = validLifetime();
    assertTrue(valid >= 2 && valid <= 3, "refreshed to " + valid + " s");
  }

  @Test
  void withNoLifetimeLeftNothingIsAddedAndTheAnswerSaysSo() throws Exception {
    String failed = kernel.change(List.of(holding), List.of(), () -> 0, List.of());
    assertTrue(failed.contains("lease ran out"), failed);
    assertEquals(-1, validLifetime(), CIDR + " was added");
  }

  @Test
  void dropsNeedNoLifetime() throws Exception {
    assertEquals("", kernel.change(List.of(holding), List.of(), () -> 1, List.of()));
    String failed = kernel.change(List.of(), List.of(), () -> {
      throw new AssertionError("a lifetime was asked for with nothing to add or extend");
    }, List.of(holding));
    assertEquals("", failed);
    assertFalse(validLifetime() >= 0, CIDR + " is still there");
  }
}
