package org.smbgw.e2e.lab;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.smbgw.proto.v1.DrainNodeRequest;
import org.smbgw.proto.v1.MoveAddressRequest;
import org.smbgw.proto.v1.UndrainNodeRequest;

/**
 * One fault against the node holding a floating address, measured from the client namespace:
 * puts the address where the fault will hit, starts the probes, injects the fault, waits for the
 * client to work again, repairs the fault and waits for the cluster to be whole again.
 */
public final class FaultRun {
  public enum Fault {
    KILL_AGENT, HANG_AGENT, KILL_NODE, PORT_DOWN, PARTITION_LEADER, KILL_LEADER, DRAIN;

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @param newConnection seconds from the fault until new connections work again (0: never stopped)
   * @param session seconds until the established session's client works again
   * @param doubled samples that saw the address on two nodes, of {@code samples}
   * @param doubledAt the first such samples, timed from the fault
   * @param from the node the fault hit; @param to where the address went
   * @param holders where the address was, each change timed from the fault (every 20 ms)
   * @param newConnections the new-connection attempts under way until new connections worked again
   */
  public record Result(Fault fault, String from, String to, double newConnection, double session, long doubled,
      long samples, List<String> doubledAt, List<String> sessionErrors, long failuresAfterRepair, String heldAfterRepair,
      Map<String, Long> newConnectionErrorsAfterRepair, Map<String, Long> sessionErrorsAfterRepair,
      long failuresAfterFault, List<String> holders, List<String> newConnections) {}

  private final LabCluster cluster;
  private final String address;
  private final String share;
  private final String file;
  private final String content;

  public FaultRun(LabCluster cluster, String address, String share, String file, String content) {
    this.cluster = cluster;
    this.address = address;
    this.share = share;
    this.file = file;
    this.content = content;
  }

  /**
   * Runs {@code fault} as the benchmark does: a new client connection every 250 ms, each failed
   * when it takes over 2 s. (Each costs an smbd child on the node, and when they were smbclient
   * processes, about 0.15 s of CPU together: at 100 ms they kept this machine's two cores busy,
   * lease answers came late, addresses flapped, and kill_agent measured 3.6 to 21 s. A figure can
   * come out up to 250 ms late, never early.)
   */
  public Result run(Fault fault) throws Exception {
    return run(fault, Duration.ofMillis(250), Duration.ofSeconds(2));
  }

  /**
   * Runs {@code fault} and returns its result; the lab is whole again afterwards. Each new
   * connection forks an smbd child on this machine's two cores, which every node shares, so the
   * probes are part of the load: a test that checks what happens, not how
   * fast, probes less often ({@code every}) and counts a request failed only after a longer
   * {@code timeout} (a node starting, or a leader election, slows every smbd here; at 100 ms and
   * 2 s, on CPUs about a quarter slower than a month before, every fault counted requests that
   * then succeeded as failures).
   */
  public Result run(Fault fault, Duration every, Duration timeout) throws Exception {
    Lab lab = cluster.lab();
    String victim = cluster.awaitServing(address, 60);
    if (fault == Fault.PARTITION_LEADER || fault == Fault.KILL_LEADER) {
      String leader = lab.leaderNode();
      if (!leader.equals(victim)) {
        cluster.admin().moveAddress(MoveAddressRequest.newBuilder().setAddress(address).setNode(leader).build());
        victim = awaitHolder(leader, 30);
      }
    }
    Thread.sleep(500);
    // A longer gap between working requests than this counts as an outage.
    Duration normal = Duration.ofMillis(Math.max(450, 3 * every.toMillis()));
    try (Probes.DoubleHold sampler = new Probes.DoubleHold(lab, address);
        Probes.NewConnections conns = new Probes.NewConnections(cluster, address, share, file, content, every, timeout);
        Probes.Session session = new Probes.Session(cluster, address, share)) {
      Thread.sleep(1500); // a baseline: both probes working before the fault
      // Real faults fall anywhere between two lease renewals (a quarter of the lease apart).
      // Without this the fault came a fixed 2 s after the address settled, four renewal intervals:
      // just after a renewal every time, the slowest phase to detect (L + margin).
      Thread.sleep(java.util.concurrent.ThreadLocalRandom.current().nextLong(lab.settings().leaseMillis() / 4));
      long at = System.nanoTime();
      inject(victim, fault);
      long deadline = at + Duration.ofSeconds(30).toNanos();
      double newConn = Double.NaN;
      double sess = Double.NaN;
      // Recovered when both have worked steadily for a second after the last outage.
      while (System.nanoTime() < deadline) {
        Thread.sleep(250);
        long now = System.nanoTime();
        newConn = Probes.recovery(conns.attempts(), at, normal);
        sess = Probes.recovery(session.attempts(), at, normal);
        // Not while either is out now: requests that ended just after the fault are no recovery.
        boolean out = Probes.outNow(conns.attempts(), normal, now) || Probes.outNow(session.attempts(), normal, now);
        if (!out && !Double.isNaN(newConn) && !Double.isNaN(sess) && now - at > Duration.ofSeconds(4).toNanos()
            && (now - at) / 1e9 > Math.max(newConn, sess) + 1.5) {
          break;
        }
      }
      String to = lab.holdersOf(address).stream().findFirst().orElse("");
      // Repair with the probes still running: a node coming back must not interrupt anyone.
      long repairing = System.nanoTime();
      repair(fault, victim);
      // Long enough that a request started as the node came back has ended, failed or not.
      Thread.sleep(Math.max(2000, timeout.toMillis() + 500));
      long failures = Probes.failuresAfter(conns.attempts(), repairing) + Probes.failuresAfter(session.attempts(), repairing);
      return new Result(fault, victim, to, newConn, sess, sampler.doubled(), sampler.samples(), sampler.doubledAt(at, repairing),
          session.errors(), failures, String.join(",", lab.holdersOf(address)),
          Probes.errorsAfter(conns.attempts(), repairing), Probes.errorsAfter(session.attempts(), repairing),
          Probes.failuresBetween(conns.attempts(), at, repairing) + Probes.failuresBetween(session.attempts(), at, repairing),
          sampler.holders(at), Probes.during(conns.attempts(), at, Double.isNaN(newConn) ? 30 : newConn));
    }
  }

  private void inject(String victim, Fault fault) throws Exception {
    Lab lab = cluster.lab();
    switch (fault) {
      case KILL_AGENT -> lab.killAgent(victim);
      case HANG_AGENT -> lab.stopAgent(victim);
      case KILL_NODE -> lab.killNode(victim);
      case PORT_DOWN, PARTITION_LEADER -> lab.port(victim, false);
      case KILL_LEADER -> lab.killCoordinator(victim);
      case DRAIN -> cluster.admin().drainNode(DrainNodeRequest.newBuilder().setName(victim).build());
    }
  }

  private void repair(Fault fault, String victim) throws Exception {
    Lab lab = cluster.lab();
    switch (fault) {
      case KILL_AGENT -> lab.startAgent(victim);
      case HANG_AGENT -> lab.continueAgent(victim);
      case KILL_NODE -> {
        lab.startCoordinator(victim);
        lab.startAgent(victim);
      }
      case PORT_DOWN, PARTITION_LEADER -> lab.port(victim, true);
      case KILL_LEADER -> lab.startCoordinator(victim);
      case DRAIN -> cluster.admin().undrainNode(UndrainNodeRequest.newBuilder().setName(victim).build());
    }
    cluster.awaitNodes(120);
    cluster.awaitLeases(60);
    cluster.awaitServing(address, 60);
  }

  private String awaitHolder(String node, int seconds) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    while (System.nanoTime() < deadline) {
      List<String> h = cluster.lab().holdersOf(address);
      if (h.equals(List.of(node))) {
        return cluster.awaitServing(address, seconds);
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(address + " did not move to " + node + ": held by " + cluster.lab().holdersOf(address));
  }
}
