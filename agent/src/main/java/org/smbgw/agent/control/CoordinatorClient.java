package org.smbgw.agent.control;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.agent.net.AddressKeeper;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.common.tls.TlsFiles;
import org.smbgw.proto.v1.AgentHello;
import org.smbgw.proto.v1.AgentMessage;
import org.smbgw.proto.v1.AgentServiceGrpc;
import org.smbgw.proto.v1.CoordinatorMessage;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRenewal;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.NodeObservedState;

/**
 * The agent's session with the coordinators. Tries the replicas in turn; on a broken stream it
 * reconnects to the next one, paced by {@link Reconnects}, says hello again (with the latest
 * inventory) and re-sends its latest report. Desired states from an older epoch than one already
 * seen are ignored (fencing); the others are handed on as sent ({@link BrakedSource} checks them
 * on the reconcile thread).
 *
 * <p>Threads: connecting and reconnecting happen on the session's own thread
 * ({@code smbgw-session}), made and closed here. Its one slow step, building a stream's TLS
 * channel, runs without this object's monitor; the inventory is taken elsewhere and only handed
 * over. So a reconcile pass or a slow program never keeps a broken stream from being replaced, and
 * lease renewals (sent from the lease thread through {@link #send}) never wait for a channel being
 * built and resume as soon as the next stream is open. Stream callbacks arrive on gRPC's threads;
 * all fields are guarded by this object's monitor.
 */
public final class CoordinatorClient implements DesiredStateSource, AddressKeeper.Channel, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CoordinatorClient.class);

  /** The inventory to say hello with; returns at once, except possibly for the first hello. */
  public interface Inventories {
    NodeInventory forHello();
  }

  private final List<HostPort> addresses;
  private final String node;
  private final String incarnation = UUID.randomUUID().toString();
  private final Inventories inventory;
  private final Runnable changed;
  private final LongSupplier ticker;
  private final AtomicBoolean started = new AtomicBoolean();
  private final ScheduledExecutorService session = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "smbgw-session");
    t.setDaemon(true);
    return t;
  });
  private final Consumer<LeaseGrant> grants;
  private final TlsFiles tls;
  private ManagedChannel channel;
  private StreamObserver<AgentMessage> stream;
  private int next;
  /** The replica the current stream goes to; null between streams. */
  private String connectedTo;
  /** The current stream has carried a message from its replica (it is really open). */
  private boolean answered;
  /** Numbers the streams, so that the death of a replaced one is not taken for the current one's. */
  private long streamId;
  private volatile long streamOpened;
  private final Reconnects reconnects;
  private long maxEpoch;
  private NodeDesiredState current;
  private String problem = "not connected to a coordinator yet";
  private NodeObservedState lastReport;
  /** The inventory the coordinator last heard, in a hello or on its own. */
  private NodeInventory sentInventory;
  /** An inventory that arrived between streams, after the next hello's was taken: sent after that hello. */
  private NodeInventory heldBack;
  private boolean closed;

  /**
   * @param changed told (on a gRPC thread) that a desired state was admitted that is news (see
   *     {@link #news}); must return at once
   * @param grants told (on a gRPC thread) of every lease grant; must return at once
   * @param ticker the lease's clock, for {@link #streamOpenedNanos}
   * @param tls this node's credentials: each new stream presents the certificate they hold then
   */
  public CoordinatorClient(List<String> addresses, String node, Inventories inventory,
      Runnable changed, Consumer<LeaseGrant> grants, LongSupplier ticker, TlsFiles tls) {
    this.tls = tls;
    this.grants = grants;
    this.addresses = addresses.stream().map(a -> HostPort.parse("coordinators", a, false)).toList();
    this.reconnects = new Reconnects(this.addresses.size());
    this.node = node;
    this.inventory = inventory;
    this.changed = changed;
    this.ticker = ticker;
    this.streamOpened = ticker.getAsLong();
  }

  /** Opens the first stream, on the session thread; returns at once. Start once. */
  public void start() {
    if (!started.compareAndSet(false, true)) {
      throw new IllegalStateException("coordinator session already started");
    }
    session.execute(this::connect);
  }

  /**
   * Session thread only. The channel is built without the monitor held: that reads this node's
   * certificate and key and makes a TLS context, which took 0.35 s after an agent restart and
   * 1.6 s at its start on the lab's loaded cores. Under the monitor, the lease thread's renewal
   * waited that long to be sent, and was then taken to have waited that long for an answer: the
   * new replica was given up on before it had the renewal (the lab's agents switched replicas
   * at every start and restart).
   */
  private void connect() {
    synchronized (this) {
      heldBack = null; // an inventory arriving from now on is at least as new as the hello's
    }
    // Not while holding the monitor: the first hello may wait for the first inventory.
    NodeInventory inv = inventory.forHello();
    HostPort replica;
    long id;
    ManagedChannel old;
    synchronized (this) {
      if (closed) {
        return;
      }
      replica = addresses.get(next++ % addresses.size());
      id = ++streamId;
      connectedTo = replica.toString();
      answered = false;
      // Renewals wait for the new stream; one outstanding on the old is given up on without blame.
      stream = null;
      streamOpened = ticker.getAsLong();
      old = channel;
      channel = null;
    }
    if (old != null) {
      old.shutdownNow();
    }
    ManagedChannel built;
    try {
      built = Grpc.channel(replica, true, tls);
    } catch (RuntimeException e) {
      broken(id, replica.toString(), e.toString());
      return;
    }
    open(id, replica.toString(), built, inv);
  }

  private synchronized void open(long id, String address, ManagedChannel built, NodeInventory inv) {
    if (closed || id != streamId) {
      built.shutdownNow(); // closed, or given up on while it was being built: its successor is scheduled
      return;
    }
    channel = built;
    StreamObserver<CoordinatorMessage> in = new StreamObserver<>() {
      @Override
      public void onNext(CoordinatorMessage m) {
        answeredOn(id);
        if (m.hasDesired()) {
          receive(id, m.getDesired());
        } else if (m.hasGrant()) {
          leaseOn(id, m.getGrant());
          grants.accept(m.getGrant());
        }
      }

      @Override
      public void onError(Throwable t) {
        broken(id, address, t.getMessage());
      }

      @Override
      public void onCompleted() {
        broken(id, address, "the coordinator closed the stream");
      }
    };
    try {
      stream = AgentServiceGrpc.newStub(built).session(in);
      stream.onNext(AgentMessage.newBuilder().setHello(AgentHello.newBuilder().setNode(node)
          .setIncarnation(incarnation).setStream(id).setInventory(inv)).build());
      sentInventory = inv;
      if (heldBack != null && !heldBack.equals(inv)) {
        stream.onNext(AgentMessage.newBuilder().setInventory(heldBack).build());
        sentInventory = heldBack;
      }
      heldBack = null;
      if (lastReport != null) {
        stream.onNext(AgentMessage.newBuilder().setReport(lastReport).build());
      }
      // Once its hello is on its way: a fresh JVM's first call took over 100 ms to get there, and
      // the renewal that followed was not taken for the stream's first (patience L/8, not L/4).
      streamOpened = ticker.getAsLong();
      log.info("session with coordinator {} opened", address);
    } catch (Exception e) {
      broken(id, address, e.toString());
    }
  }

  private synchronized void broken(long id, String address, String why) {
    if (closed || id != streamId || connectedTo == null) {
      return; // closed, or about a stream already replaced
    }
    connectedTo = null;
    stream = null;
    problem = "no session with a coordinator (" + address + ": " + why + ")";
    long wait = reconnects.failed(ticker.getAsLong());
    log.warn("session with coordinator {} ended: {}; trying the next replica in {} ms", address, why, wait);
    session.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
  }

  private synchronized void leaseOn(long id, LeaseGrant g) {
    if (id == streamId) {
      reconnects.granted(g);
    }
  }

  private void receive(long id, NodeDesiredState d) {
    synchronized (this) {
      if (id != streamId) {
        return; // a stream given up on: the one that replaced it sends its own once its replica is ready
      }
      reconnects.served();
      if (d.getEpoch() < maxEpoch) {
        log.warn("ignoring desired state of epoch {}: epoch {} was seen already", d.getEpoch(), maxEpoch);
        return;
      }
      maxEpoch = d.getEpoch();
      // A new leader's term sends every node its state again under the new epoch. A pass for it
      // would find nothing to do, cost every node a look at Samba at once, and hold up the pass
      // of a failover that a partition of the leader's node brings at the same time (measured:
      // the move's pass waited 0.17 s behind it). Without a problem to clear, it is no news.
      boolean news = news(current, d, problem != null);
      current = d; // as sent: checked and resolved on the reconcile thread (storage.cfg may hang)
      problem = null;
      if (!news) {
        log.debug("desired state of epoch {}: the same as before otherwise", d.getEpoch());
        return;
      }
    }
    changed.run();
  }

  /**
   * Whether a pass is owed for {@code now}, received after {@code was} (null: none yet): unless
   * only the epoch differs, and no session problem is there to be cleared from the node's status.
   */
  static boolean news(NodeDesiredState was, NodeDesiredState now, boolean problemToClear) {
    return problemToClear || was == null
        || !was.toBuilder().clearEpoch().build().equals(now.toBuilder().clearEpoch().build());
  }

  @Override
  public synchronized OptionalLong send(LeaseRenewal renewal) {
    if (stream == null) {
      return OptionalLong.empty();
    }
    try {
      long at = ticker.getAsLong(); // before the stream has it: the coordinator cannot record it earlier
      stream.onNext(AgentMessage.newBuilder().setRenewal(renewal).build());
      return OptionalLong.of(at);
    } catch (RuntimeException e) {
      log.warn("cannot send lease renewal: {}", e.toString());
      return OptionalLong.empty();
    }
  }

  @Override
  public long streamOpenedNanos() {
    return streamOpened;
  }

  /**
   * The replica did not answer a renewal in time (cut off, hung), or answered it with an error (it
   * cannot reach ZooKeeper): drop it and try the next one, paced by {@link Reconnects}.
   */
  @Override
  public synchronized void stalled(boolean answered) {
    if (closed || connectedTo == null || addresses.size() == 1) {
      return; // with one replica there is no other to try: its stream breaks by itself if it dies
    }
    String was = connectedTo;
    connectedTo = null;
    streamId++; // whatever the old stream says from now on is about a stream given up
    stream = null;
    problem = "coordinator " + was + (answered ? " could not record a lease renewal"
        : " did not answer a lease renewal in time");
    long now = ticker.getAsLong();
    long wait = answered ? reconnects.refused(now) : reconnects.failed(now);
    log.warn("{}; switching replicas in {} ms", problem, wait);
    session.schedule(this::connect, wait, TimeUnit.MILLISECONDS);
  }

  /** A freshly taken inventory: sent on when it differs from what the coordinator has. Any thread. */
  public synchronized void inventory(NodeInventory inv) {
    if (stream == null) {
      heldBack = inv;
      return;
    }
    if (inv.equals(sentInventory)) {
      return;
    }
    try {
      stream.onNext(AgentMessage.newBuilder().setInventory(inv).build());
      sentInventory = inv;
    } catch (RuntimeException e) {
      log.warn("cannot send the inventory: {}", e.toString());
    }
  }

  /** Sends what the node now looks like; kept to re-send after a reconnect. */
  public synchronized void report(NodeObservedState s) {
    lastReport = s;
    if (stream != null) {
      try {
        stream.onNext(AgentMessage.newBuilder().setReport(s).build());
      } catch (RuntimeException e) {
        log.warn("cannot send report: {}", e.toString());
      }
    }
  }

  private synchronized void answeredOn(long id) {
    if (id == streamId && connectedTo != null) {
      answered = true;
    }
  }

  /** Whether a replica has answered on the current stream (systemd's READY=1 in cluster mode). */
  public synchronized boolean connected() {
    return connectedTo != null && answered;
  }

  @Override
  public synchronized Optional<NodeDesiredState> current() {
    return Optional.ofNullable(current);
  }

  @Override
  public synchronized Optional<String> problem() {
    return Optional.ofNullable(problem);
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (stream != null) {
        try {
          stream.onCompleted();
        } catch (RuntimeException e) {
          // closing anyway
        }
      }
      if (channel != null) {
        channel.shutdownNow();
      }
    }
    session.shutdownNow();
  }
}
