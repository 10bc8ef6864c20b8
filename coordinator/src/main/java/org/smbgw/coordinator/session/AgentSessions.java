package org.smbgw.coordinator.session;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.common.Names;
import org.smbgw.common.Violation;
import org.smbgw.common.tls.Peer;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.proto.v1.AgentHello;
import org.smbgw.proto.v1.AgentMessage;
import org.smbgw.proto.v1.AgentServiceGrpc;
import org.smbgw.proto.v1.CoordinatorMessage;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.NodeObservedState;

/**
 * This replica's agent streams. All session state belongs to one thread ({@code smbgw-sessions}):
 * gRPC callbacks and view changes only hand work to it, so a stream's observer is never called
 * from two threads at once.
 */
public final class AgentSessions extends AgentServiceGrpc.AgentServiceImplBase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentSessions.class);

  final ClusterView view;
  private final StateStore store;
  private final String replica;
  /** Wall-clock time, for the events of agents' reports. */
  private final Clock clock;
  /**
   * One transaction (an apply of 1,000 shares, say) reaches the view as thousands of znode
   * events, over a second or so: pushes wait until what desired states are made of has not
   * changed for this long, so that agents mostly get the whole change at once, computed once.
   * Pushing 25 ms after the first event sent a node 83 of 1,000 new shares; its pass over those
   * (two publishes, ACLs) held back the other 917 by two seconds. Agents' reports, which arrive
   * all the time, do not count ({@link ClusterView#desiredChanges}): an address moved after a node
   * died is pushed 25 ms after the move, as before.
   */
  private static final long PUSH_QUIET_MS = 25;
  /** Quiet periods waited at most (half a second): a steady stream of changes still reaches agents. */
  private static final int PUSH_WAITS = 20;
  final ScheduledExecutorService serial = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-sessions");
    t.setDaemon(true);
    return t;
  });
  private final AtomicBoolean pushQueued = new AtomicBoolean();
  /**
   * Renewals are recorded off the session thread, so that a slow report never delays a lease.
   * An agent has at most one renewal outstanding, so two threads serve any number of agents.
   */
  final java.util.concurrent.ExecutorService leaseThreads = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "smbgw-leases");
    t.setDaemon(true);
    return t;
  });
  private final org.smbgw.coordinator.ha.Leases leases;
  /** Guarded by the serial thread. */
  private final Map<String, Session> sessions = new HashMap<>();
  final org.smbgw.coordinator.auth.TokenAuth.Listener refusals;

  /**
   * @param refusals told of every agent stream refused (no certificate, or a hello for a node the
   *     certificate does not name): the audit trail
   */
  public AgentSessions(ClusterView view, StateStore store, String replica, org.smbgw.coordinator.ha.Leases leases,
      Clock clock, org.smbgw.coordinator.auth.TokenAuth.Listener refusals) {
    this.refusals = refusals;
    this.clock = clock;
    this.leases = leases;
    this.view = view;
    this.store = store;
    this.replica = replica;
    // live/<node> znodes are ephemeral, owned by this replica's ZooKeeper session: when a new
    // session replaces an expired one (a partition healed), they are gone while the agents are
    // still attached here. Put them back, or the cluster would think those nodes disconnected.
    store.zk().getConnectionStateListenable().addListener((client, state) -> {
      if (state == org.apache.curator.framework.state.ConnectionState.RECONNECTED) {
        serial.execute(this::restoreLive);
      }
    });
    view.onChange(() -> {
      if (pushQueued.compareAndSet(false, true)) {
        long seen = view.desiredChanges();
        serial.schedule(() -> pushWhenQuiet(seen, 1), PUSH_QUIET_MS, TimeUnit.MILLISECONDS);
      }
    });
  }

  @Override
  public StreamObserver<AgentMessage> session(StreamObserver<CoordinatorMessage> call) {
    // A node's identity is its certificate: no certificate, no stream; a hello, and so every
    // renewal and report after it, only for the node the certificate names.
    Peer peer = Peer.current();
    Outbound out = new Outbound(call);
    if (peer.certificate().isEmpty()) {
      log.warn("refused an agent stream from {}: it presented no certificate", peer);
      String why = "an agent must present its node's certificate (mutual TLS); none was presented";
      refusals.refused("no_certificate", "Session", peer.address(), java.util.Optional.empty(), why, null);
      out.fail(Status.UNAUTHENTICATED.withDescription(why));
      return AgentStream.refused(this, peer, out);
    }
    return new AgentStream(this, peer, peer.names().orElseThrow(), out);
  }

  void renew(String node, String incarnation, org.smbgw.proto.v1.LeaseRenewal r, Outbound out, long received) {
    if (out.gone()) {
      return; // the agent left: nobody to answer
    }
    if (view.now() - received > leases.settings().lease().toNanos() / 4) {
      // The agent gave up on it (after L/8) and asked elsewhere; recording it now would only
      // delay the renewals behind it. After a partition heals, such backlogs would otherwise
      // keep every answer late.
      log.debug("dropping a stale renewal of {}", node);
      return;
    }
    org.smbgw.proto.v1.LeaseGrant grant = leases.renew(node, incarnation, r);
    if (!grant.getError().isEmpty()) {
      log.warn("lease of {}: {}", node, grant.getError());
    }
    out.send(CoordinatorMessage.newBuilder().setGrant(grant).build(), node);
  }

  Session hello(AgentHello hello, Outbound out) throws Exception {
    List<Violation> bad = new ArrayList<>();
    Names.nodeName("node", hello.getNode(), bad);
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException(bad.get(0).toString());
    }
    Session previous = sessions.get(hello.getNode());
    if (previous != null) {
      previous.out.complete(); // a newer stream of the same node replaces the old one
    }
    store.ensureNode(hello.getNode());
    LiveNode live = LiveNode.newBuilder().setNode(hello.getNode()).setIncarnation(hello.getIncarnation())
        .setCoordinator(replica).setInventory(hello.getInventory()).setStream(hello.getStream()).build();
    store.putLive(live);
    Session s = new Session(hello.getNode(), hello.getIncarnation(), out, live);
    sessions.put(s.node, s);
    log.info("agent {} connected ({} storages)", s.node, hello.getInventory().getStoragesCount());
    push(s);
    return s;
  }

  void inventory(Session s, NodeInventory inventory) throws Exception {
    LiveNode next = s.live.toBuilder().setInventory(inventory).build();
    if (!next.equals(s.live)) {
      s.live = next;
      store.putLive(next);
    }
  }

  void report(Session s, AgentMessage m) throws Exception {
    NodeObservedState before = s.live.getObserved();
    NodeObservedState now = m.getReport();
    long at = clock.millis();
    for (ReportEvents.Alert a : ReportEvents.quotaAlerts(s.node, now, s.alertsSeen, at, view.epoch())) {
      s.alertsSeen.put(a.share(), a.count());
      // "Once" across agent restarts and replica switches: only the replica that creates the
      // marker znode of this node, share and alert number tells it.
      if (claimed(s.node, a)) {
        record(a.event());
      }
    }
    ReportEvents.losses(s.node, view.cluster(), before, now, at, view.epoch()).ifPresent(this::record);
    ReportEvents.remounts(s.node, before, now, at, view.epoch()).forEach(this::record);
    LiveNode next = s.live.toBuilder().setObserved(now).build();
    if (!next.equals(s.live)) {
      s.live = next;
      store.putLive(next);
    }
  }

  private boolean claimed(String node, ReportEvents.Alert a) {
    try {
      return store.markAlert(node, a.share(), a.count());
    } catch (Exception e) {
      log.warn("cannot record the quota alert of {}: {}", a.share(), e.toString());
      return false;
    }
  }

  /** Records an event of an agent's report; a failure is logged, and the report still counts. */
  private void record(Event e) {
    try {
      store.recordEvent(e);
    } catch (Exception ex) {
      log.warn("cannot record {} of {}: {}", e.getKind(), e.getSubject(), ex.toString());
    }
  }

  void end(Session s) {
    if (s == null || sessions.get(s.node) != s) {
      return;
    }
    sessions.remove(s.node);
    try {
      store.removeLive(s.live);
    } catch (Exception e) {
      log.warn("cannot remove live record of {}: {}", s.node, e.toString());
    }
    log.info("agent {} disconnected", s.node);
  }

  private void restoreLive() {
    for (Session s : sessions.values()) {
      try {
        store.putLive(s.live);
      } catch (Exception e) {
        log.warn("cannot restore the live record of {}: {}", s.node, e.toString());
      }
    }
    if (!sessions.isEmpty()) {
      log.info("ZooKeeper session restored; live records of {} agent(s) put back", sessions.size());
    }
  }

  /** Pushes once desired states' inputs did not change for a quiet period, or after the last wait. */
  private void pushWhenQuiet(long seen, int waits) {
    long now = view.desiredChanges();
    if (now != seen && waits < PUSH_WAITS) {
      serial.schedule(() -> pushWhenQuiet(now, waits + 1), PUSH_QUIET_MS, TimeUnit.MILLISECONDS);
      return;
    }
    pushQueued.set(false);
    pushAll();
  }

  private void pushAll() {
    sessions.values().forEach(this::push);
  }

  private void push(Session s) {
    if (!view.settled()) {
      // After a reconnect the view takes in what it missed in no set order (a share's new access
      // list before its new placement, say); a state made from it meanwhile could remove what is
      // still meant. It is pushed once the view matches ZooKeeper again.
      return;
    }
    NodeDesiredState d = DesiredStates.forNode(view, s.node, s.live);
    if (s.sent != null && DesiredStates.content(d).equals(DesiredStates.content(s.sent))) {
      return;
    }
    s.sent = d;
    s.out.send(CoordinatorMessage.newBuilder().setDesired(d).build(), s.node);
  }

  /** Number of agents attached to this replica. */
  public int connected() throws Exception {
    return serial.submit(sessions::size).get();
  }

  @Override
  public void close() {
    serial.execute(() -> {
      sessions.values().forEach(s -> s.out.complete());
      sessions.clear();
    });
    serial.shutdown();
    leaseThreads.shutdownNow();
    try {
      serial.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
