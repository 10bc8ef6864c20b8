package org.smbgw.agent.net;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.Addresses;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.HeldAddress;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.NetworkInterface;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;
import org.smbgw.proto.v1.TcpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the node's floating addresses under its lease (DESIGN section 4).
 *
 * <ul>
 *   <li>Renews every L/4 through the coordinator session, and at once when what it holds or is
 *       told to get ready changes; one renewal outstanding at a time. A renewal unanswered after
 *       L/8 (L/4 for a new stream's first) makes the session switch replicas.
 *   <li>The lease runs until the send time of the last answered renewal plus L. An address is up
 *       only if the last grant names it, every share bound to it is published here, and at least
 *       a whole second of lease is left; its kernel lifetime is that whole number of seconds,
 *       renewed with every grant, so a dead or hung agent loses it on time by the kernel's hand.
 *       When the lease runs out the agent drops everything itself.
 *   <li>A newly added address is announced with gratuitous ARP three times and the previous
 *       holder's clients are tickled, both in the background.
 * </ul>
 *
 * All state belongs to one thread ({@code smbgw-lease}).
 */
public final class AddressKeeper implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AddressKeeper.class);
  private static final long TICK_MS = 25;
  private static final int ARP_ANNOUNCEMENTS = 3;
  private static final int TICKLES = 3;

  /** How renewals leave the node; the coordinator session implements it. */
  public interface Channel {
    /** Sends the renewal; false when there is no session to send it on. */
    boolean send(LeaseRenewal renewal);

    /** A renewal went unanswered: try another replica now. */
    void stalled();

    /** {@link System#nanoTime()} when the current stream was opened. */
    long streamOpenedNanos();
  }

  private record Held(String cidr, String device, long upAtMillis, long servingAtMillis) {}

  private final IpAddresses ip;
  private final CommandRunner runner;
  private final TcpTable tcp;
  private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-lease");
    t.setDaemon(true);
    return t;
  });
  private final ExecutorService background = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "smbgw-announce");
    t.setDaemon(true);
    return t;
  });
  private Channel channel;

  private long leaseNanos;
  private long seq;
  private long outstandingSeq = -1;
  private long outstandingSentNanos;
  private long lastSentNanos;
  private boolean renewSoon = true;
  private long validUntilNanos;
  private Map<String, AddressAssignment> granted = Map.of();
  private final Map<String, Held> held = new LinkedHashMap<>();
  /** From the desired state: address key to the shares bound to it, for addresses this node is to hold. */
  private Map<String, List<String>> desired = Map.of();
  private Map<String, Long> readySince = new HashMap<>();
  private Set<String> activeShares = Set.of();
  private List<NetworkInterface> interfaces = List.of();

  public AddressKeeper(CommandRunner runner, TcpTable tcp, Duration defaultLease) {
    this.runner = runner;
    this.ip = new IpAddresses(runner);
    this.tcp = tcp;
    this.leaseNanos = defaultLease.toNanos();
  }

  public void start(Channel channel) {
    this.channel = channel;
    thread.scheduleWithFixedDelay(this::tick, 0, TICK_MS, TimeUnit.MILLISECONDS);
  }

  /** The desired state and the latest observation: which addresses are ready to come up here. */
  public void update(NodeDesiredState d, NodeObservedState observed) {
    Map<String, List<String>> next = new LinkedHashMap<>();
    d.getAddressesList().forEach(a -> next.put(Addresses.host(a.getAddress()), new ArrayList<>()));
    for (ShareSpec s : d.getSharesList()) {
      if (!s.getAddress().isEmpty()) {
        next.computeIfAbsent(Addresses.host(s.getAddress()), k -> new ArrayList<>()).add(s.getName());
      }
    }
    Set<String> active = new HashSet<>();
    for (ShareStatus s : observed.getSharesList()) {
      if (s.getState() == ShareState.SHARE_STATE_ACTIVE) {
        active.add(s.getName());
      }
    }
    thread.execute(() -> {
      if (!next.keySet().equals(desired.keySet())) {
        renewSoon = true;
      }
      desired = next;
      activeShares = active;
      reconcile();
    });
  }

  /** A grant from the coordinator (any thread). */
  public void granted(LeaseGrant g) {
    thread.execute(() -> {
      if (g.getSeq() != outstandingSeq) {
        return; // answers a renewal given up on: its send time is unknown to the lease
      }
      outstandingSeq = -1;
      if (!g.getError().isEmpty()) {
        // This replica cannot record leases (cut off from ZooKeeper, say): ask another one.
        log.warn("lease not renewed: {}; switching coordinator", g.getError());
        renewSoon = true;
        channel.stalled();
        return;
      }
      leaseNanos = TimeUnit.MILLISECONDS.toNanos(g.getLeaseMillis());
      validUntilNanos = outstandingSentNanos + leaseNanos;
      Map<String, AddressAssignment> next = new LinkedHashMap<>();
      g.getAddressesList().forEach(a -> next.put(Addresses.host(a.getAddress()), a));
      granted = next;
      reconcile();
    });
  }

  private void tick() {
    try {
      long now = System.nanoTime();
      // A stream's first renewal waits for the connection and the hello: it gets L/4, the rest L/8.
      long patience = outstandingSentNanos - channel.streamOpenedNanos() < 100_000_000L ? leaseNanos / 4 : leaseNanos / 8;
      if (outstandingSeq >= 0 && now - outstandingSentNanos > patience) {
        log.warn("lease renewal {} unanswered after {} ms; switching coordinator", outstandingSeq,
            (now - outstandingSentNanos) / 1_000_000);
        outstandingSeq = -1;
        renewSoon = true;
        channel.stalled();
      }
      if (!held.isEmpty() && now >= validUntilNanos) {
        log.warn("lease ran out: letting go of {}", held.keySet());
        release(new ArrayList<>(held.keySet()));
      }
      if (outstandingSeq < 0 && (renewSoon || now - lastSentNanos >= leaseNanos / 4)) {
        renew(now);
      }
    } catch (RuntimeException e) {
      log.warn("lease tick: {}", e.toString());
    }
  }

  private void renew(long now) {
    LeaseRenewal.Builder r = LeaseRenewal.newBuilder().setSeq(seq + 1);
    held.forEach((k, h) -> r.addHeld(HeldAddress.newBuilder().setAddress(h.cidr()).setUpAtMillis(h.upAtMillis())
        .setServingAtMillis(h.servingAtMillis())));
    List<TcpConnection> connections = tcp.established(held.keySet(), 1000);
    r.addAllConnections(connections);
    if (channel.send(r.build())) {
      outstandingSeq = ++seq;
      outstandingSentNanos = now;
      lastSentNanos = now;
      renewSoon = false;
    }
  }

  private boolean ready(String key) {
    List<String> shares = desired.get(key);
    return shares != null && activeShares.containsAll(shares);
  }

  /** Brings what the lease allows up, refreshes lifetimes, and lets go of the rest. */
  private void reconcile() {
    long now = System.nanoTime();
    long wall = System.currentTimeMillis();
    for (String key : desired.keySet()) {
      if (ready(key)) {
        readySince.putIfAbsent(key, wall);
      } else {
        readySince.remove(key);
      }
    }
    long seconds = (validUntilNanos - now) / 1_000_000_000L;
    if (seconds < 1) {
      if (!held.isEmpty()) {
        release(new ArrayList<>(held.keySet()));
      }
      return;
    }
    List<String> lines = new ArrayList<>();
    List<String> gone = new ArrayList<>();
    List<AddressAssignment> fresh = new ArrayList<>();
    for (Map.Entry<String, Held> e : held.entrySet()) {
      if (granted.containsKey(e.getKey()) && desired.containsKey(e.getKey())) {
        lines.add("addr replace " + e.getValue().cidr() + " dev " + e.getValue().device() + " valid_lft " + seconds
            + " preferred_lft " + seconds);
      } else {
        gone.add(e.getKey());
      }
    }
    for (Map.Entry<String, AddressAssignment> e : granted.entrySet()) {
      if (!held.containsKey(e.getKey()) && ready(e.getKey())) {
        String device = device(e.getValue());
        if (device == null) {
          log.warn("address {}: no interface has an address in its subnet; set one with --interface", e.getValue().getAddress());
          continue;
        }
        lines.add("addr replace " + e.getValue().getAddress() + " dev " + device + " valid_lft " + seconds
            + " preferred_lft " + seconds);
        held.put(e.getKey(), new Held(e.getValue().getAddress(), device, wall, readySince.getOrDefault(e.getKey(), wall)));
        fresh.add(e.getValue());
      }
    }
    for (String key : gone) {
      Held h = held.remove(key);
      lines.add("addr del " + h.cidr() + " dev " + h.device());
    }
    if (lines.isEmpty()) {
      return;
    }
    try {
      String failed = ip.batch(lines, Duration.ofSeconds(5));
      if (!failed.isEmpty() && !fresh.isEmpty()) {
        log.warn("address changes partly failed: {}", failed);
      }
    } catch (Exception e) {
      log.warn("address changes failed: {}", e.toString());
    }
    for (AddressAssignment a : fresh) {
      log.info("address {} up on {} ({} s kernel lifetime); announcing, {} connection(s) to tickle",
          a.getAddress(), held.get(Addresses.host(a.getAddress())).device(), seconds, a.getTicklesCount());
      announce(a, held.get(Addresses.host(a.getAddress())).device());
    }
    if (!fresh.isEmpty() || !gone.isEmpty()) {
      if (!gone.isEmpty()) {
        log.info("let go of {}", gone);
      }
      renewSoon = true;
    }
  }

  private String device(AddressAssignment a) {
    if (!a.getInterface().isEmpty()) {
      return a.getInterface();
    }
    for (int attempt = 0; attempt < 2; attempt++) {
      var found = IpAddresses.interfaceFor(a.getAddress(), interfaces);
      if (found.isPresent()) {
        return found.get();
      }
      try {
        interfaces = ip.interfaces();
      } catch (Exception e) {
        return null;
      }
    }
    return null;
  }

  private void release(List<String> keys) {
    List<String> lines = new ArrayList<>();
    for (String k : keys) {
      Held h = held.remove(k);
      if (h != null) {
        lines.add("addr del " + h.cidr() + " dev " + h.device());
      }
    }
    try {
      ip.batch(lines, Duration.ofSeconds(5)); // an address the kernel already removed fails harmlessly
    } catch (Exception e) {
      log.warn("cannot remove addresses: {}", e.toString());
    }
    renewSoon = true;
  }

  /**
   * In the background: gratuitous ARP first, so that the clients' ARP caches point at this node,
   * then the tickles, whose answers must reach this node to be reset; then ARP and one tickle
   * again for a client that missed the first round, then ARP a last time. (A tickle sent before
   * the client learned the new MAC is answered to the old holder, where it dies.)
   */
  private void announce(AddressAssignment a, String device) {
    String host = Addresses.host(a.getAddress());
    boolean ipv4 = !host.contains(":");
    background.execute(() -> {
      try {
        for (int round = 0; round < ARP_ANNOUNCEMENTS; round++) {
          if (ipv4) {
            arp(host, device); // IPv6: unsolicited neighbour advertisements are the kernel's
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

  private void arp(String host, String device) {
    try {
      // -w: arping waits this long for replies to its one unsolicited request; none come.
      runner.runAllowingFailure(Command.of("arping", "-q", "-U", "-c", "1", "-w", "0.01", "-S", host, "-i", device, host)
          .timeout(Duration.ofSeconds(3)));
    } catch (Exception e) {
      log.warn("gratuitous ARP for {}: {}", host, e.toString());
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

  /** What is held now (for status and tests). */
  public List<String> held() throws Exception {
    return thread.submit(() -> held.values().stream().map(Held::cidr).toList()).get();
  }

  @Override
  public void close() {
    try {
      thread.submit(() -> release(new ArrayList<>(held.keySet()))).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("cannot let go of addresses on close: {}", e.toString());
    }
    thread.shutdownNow();
    background.shutdownNow();
  }
}
