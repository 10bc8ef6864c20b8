package org.smbgw.agent.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.net.AddressPlan.Holding;
import org.smbgw.common.Addresses;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.NetworkInterface;
import org.smbgw.proto.v1.TcpConnection;

/**
 * Carries out address plans on this host: one {@code ip -batch} per plan, gratuitous ARP and
 * tickles in the background (on threads this class makes and closes), the TCP table for renewals.
 */
public final class KernelAddresses implements AddressKeeper.Actions {
  private static final Logger log = LoggerFactory.getLogger(KernelAddresses.class);
  private static final int ARP_ANNOUNCEMENTS = 3;
  private static final int TICKLES = 3;
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(5);

  private final IpAddresses ip;
  private final TcpTable tcp;
  private final ExecutorService background = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "smbgw-announce");
    t.setDaemon(true);
    return t;
  });

  private final HeldAddresses record;

  public KernelAddresses(CommandRunner runner, TcpTable tcp, HeldAddresses record) {
    this.ip = new IpAddresses(runner);
    this.tcp = tcp;
    this.record = record;
  }

  @Override
  public void held(Collection<Holding> held) {
    try {
      record.write(held);
    } catch (java.io.IOException e) {
      log.warn("cannot record the held addresses for release-addresses: {}", e.toString());
    }
  }

  @Override
  public String change(List<Holding> add, List<Holding> refresh, LongSupplier lifetime, List<Holding> drop) {
    // The lines run as root: they are built only from values that pass the rules again here.
    List<org.smbgw.common.Violation> bad = new ArrayList<>();
    List<Holding> upOrRefresh = new ArrayList<>(add);
    upOrRefresh.addAll(refresh);
    for (Holding h : upOrRefresh) {
      check(h, bad);
    }
    for (Holding h : drop) {
      check(h, bad);
    }
    if (!bad.isEmpty()) {
      String why = "no address changed: " + String.join("; ", bad.stream().map(Object::toString).toList());
      log.error(why);
      return why;
    }
    boolean[] ranOut = {false};
    String failed;
    try {
      failed = ip.batch(() -> {
        List<String> lines = new ArrayList<>();
        long seconds = upOrRefresh.isEmpty() ? 0 : lifetime.getAsLong();
        ranOut[0] = !upOrRefresh.isEmpty() && seconds <= 0;
        if (seconds > 0) {
          // "add" fails on an address the node has already, its own one included, whatever the
          // listing it was planned on said; the keeper then takes none that was there before.
          add.forEach(h -> lines.add(withLifetime("add", h, seconds)));
          refresh.forEach(h -> lines.add(withLifetime("replace", h, seconds)));
        }
        for (Holding h : drop) {
          lines.add("addr del " + h.cidr() + " dev " + h.device()); // already gone (kernel lifetime): fails harmlessly
        }
        return lines;
      }, IP_TIMEOUT);
    } catch (Exception e) {
      failed = e.toString();
    }
    if (ranOut[0]) {
      String why = "the lease ran out while ip started: nothing added or extended";
      return failed.isEmpty() ? why : why + "; " + failed;
    }
    return failed;
  }

  /** One batch line: {@code verb} ("add" or "replace") the address with a kernel lifetime of {@code seconds}. */
  private static String withLifetime(String verb, Holding h, long seconds) {
    return "addr " + verb + " " + h.cidr() + " dev " + h.device() + " valid_lft " + seconds + " preferred_lft " + seconds;
  }

  private static void check(Holding h, List<org.smbgw.common.Violation> out) {
    Addresses.cidr("address", h.cidr(), out);
    if (h.device() == null || h.device().isEmpty()) {
      out.add(new org.smbgw.common.Violation("interface", "an address is added on a named interface"));
    } else {
      Addresses.interfaceName("interface", h.device(), out);
    }
  }

  @Override
  public List<NetworkInterface> interfaces() throws Exception {
    return ip.interfaces();
  }

  @Override
  public List<TcpConnection> connections(Set<String> hosts) {
    return tcp.established(hosts, 1000);
  }

  /**
   * In the background: gratuitous ARP first, so that the clients' ARP caches point at this node,
   * then the tickles, whose answers must reach this node to be reset; then ARP and one tickle
   * again for a client that missed the first round, then ARP a last time. (A tickle sent before
   * the client learned the new MAC is answered to the old holder, where it dies.)
   */
  @Override
  public void announce(AddressAssignment a, String device) {
    String host = Addresses.host(a.getAddress());
    boolean ipv4 = !host.contains(":");
    background.execute(() -> {
      try {
        // IPv6: unsolicited neighbour advertisements are the kernel's.
        GratuitousArp.Frame arp = ipv4 ? frame(host, device) : null;
        for (int round = 0; round < ARP_ANNOUNCEMENTS; round++) {
          if (arp != null) {
            send(arp, host, device);
          }
          if (round < 2) {
            tickle(a, round == 0 ? TICKLES : 1);
          }
          Thread.sleep(round == 0 ? 100 : 200);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  /** The announcement for {@code host}, made once for every round; null (logged) when it cannot be. */
  private static GratuitousArp.Frame frame(String host, String device) {
    try {
      return GratuitousArp.of(host, device);
    } catch (Exception | LinkageError e) {
      log.warn("gratuitous ARP for {} on {}: {}", host, device, e.toString());
      return null;
    }
  }

  private static void send(GratuitousArp.Frame arp, String host, String device) {
    try {
      arp.send();
    } catch (Exception | LinkageError e) {
      log.warn("gratuitous ARP for {} on {}: {}", host, device, e.toString());
    }
  }

  private static void tickle(AddressAssignment a, int count) {
    for (TcpConnection c : a.getTicklesList()) {
      try {
        Tickler.tickle(c, count);
      } catch (Exception | LinkageError e) {
        log.warn("cannot tickle {}: {}", c.getClient(), e.toString());
      }
    }
  }

  @Override
  public void close() {
    background.shutdownNow();
  }
}
