package org.smbgw.agent.net;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.testing.TestTimeouts;

/**
 * The announcement on a real link: a veth pair, one end here, the other in a network namespace of
 * the test's own whose neighbour table says the address is at another MAC (a dead node's). After
 * one gratuitous ARP it says this end's, where an ordinary ARP request changed nothing. Nothing
 * leaves the pair.
 */
class GratuitousArpTest {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      Duration.ofSeconds(30));
  private final String tag = Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private final String ns = "sgwa-" + tag;
  private final String here = "sgwa" + tag + "a";
  private final String there = "sgwa" + tag + "b";

  @AfterEach
  void stop() throws Exception {
    try {
      runner.runAllowingFailure(Command.of("ip", "netns", "del", ns)); // takes the peer, and so the pair
      runner.runAllowingFailure(Command.of("ip", "link", "del", here));
    } finally {
      runner.close();
    }
  }

  private void ok(String... argv) throws Exception {
    runner.run(Command.of(java.util.List.of(argv)));
  }

  @Test
  void aNeighbourThatKnewAnotherMacLearnsThisOne() throws Exception {
    ok("ip", "netns", "add", ns);
    ok("ip", "link", "add", here, "type", "veth", "peer", "name", there);
    ok("ip", "link", "set", there, "netns", ns);
    ok("ip", "addr", "add", "198.18.80.1/30", "dev", here);
    ok("ip", "link", "set", here, "up");
    ok("ip", "-n", ns, "addr", "add", "198.18.80.2/30", "dev", there);
    ok("ip", "-n", ns, "link", "set", there, "up");
    // Within the lock time only a gratuitous ARP may change the entry: a minute, so that a slow
    // machine cannot let an ordinary ARP through.
    ok("ip", "-n", ns, "ntable", "change", "name", "arp_cache", "dev", there, "locktime", "60000");
    ok("ip", "-n", ns, "neigh", "replace", "198.18.80.1", "lladdr", "02:00:5e:00:00:99", "dev", there, "nud", "stale");
    byte[] mac = GratuitousArp.mac(here);
    byte[] ours = {(byte) 198, 18, 80, 1};

    // An ordinary request from the address, for another one, within the lock time: no news.
    new GratuitousArp.Frame(GratuitousArp.request(mac, ours, new byte[] {(byte) 198, 18, 80, 3}),
        GratuitousArp.linkBroadcast(GratuitousArp.ifindex(here))).send();
    Thread.sleep(200); // a veth delivers at once; this only leaves room for the kernel to act
    String before = neighbour();
    assertTrue(before.contains("02:00:5e:00:00:99"), "an ordinary ARP changed the entry: " + before);

    GratuitousArp.of("198.18.80.1", here).send();

    String now = HexFormat.ofDelimiter(":").formatHex(mac);
    long deadline = System.nanoTime() + TestTimeouts.seconds(10).toNanos();
    String seen = neighbour();
    while (!seen.contains(now) && System.nanoTime() < deadline) {
      Thread.sleep(20);
      seen = neighbour();
    }
    assertTrue(seen.contains(now), "the neighbour still says: " + seen);
  }

  @Test
  void theRequestIsArpingsUnsolicitedOne() {
    byte[] mac = {2, 0, 0x5e, 0, 0, 1};
    byte[] ip = {(byte) 198, 18, 80, 1};
    assertArrayEquals(HexFormat.of().parseHex("0001" + "0800" + "06" + "04" + "0001" + "02005e000001" + "c6125001"
        + "ffffffffffff" + "c6125001"), GratuitousArp.request(mac, ip, ip));
  }

  private String neighbour() throws Exception {
    return runner.run(Command.of("ip", "-n", ns, "neigh", "show", "198.18.80.1", "dev", there)).stdout();
  }
}
