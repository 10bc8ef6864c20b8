package org.smbgw.coordinator.session;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.common.Names;
import org.smbgw.common.tls.Peer;
import org.smbgw.common.tls.PeerNames;
import org.smbgw.proto.v1.AgentMessage;

/**
 * One agent's stream, as gRPC hands over what arrives on it ({@link AgentSessions#session}). A
 * stream without a certificate is refused at once; a hello is taken only for the node the certificate names, and
 * so every renewal and report after it; renewals go to the lease threads at once, everything
 * else to the session thread.
 */
final class AgentStream implements StreamObserver<AgentMessage> {
  private static final Logger log = LoggerFactory.getLogger(AgentSessions.class);
  private final AgentSessions sessions;
  private final Peer peer;
  private final PeerNames names;
  private final Outbound out;
  /** Guarded by the session thread. */
  private Session session;
  /** Who the stream belongs to, known as soon as its hello arrives (before the session thread takes it). */
  private volatile String[] identity;
  /**
   * Set when the stream presented no certificate, or (on a gRPC thread) said hello for a node its
   * certificate does not name.
   */
  private volatile boolean refused;

  AgentStream(AgentSessions sessions, Peer peer, PeerNames names, Outbound out) {
    this.sessions = sessions;
    this.peer = peer;
    this.names = names;
    this.out = out;
  }

  /**
   * A stream refused before its first message (it presented no certificate, and has been told
   * so): whatever arrives on it is ignored.
   */
  static AgentStream refused(AgentSessions sessions, Peer peer, Outbound out) {
    AgentStream s = new AgentStream(sessions, peer, null, out);
    s.refused = true;
    return s;
  }

  @Override
  public void onNext(AgentMessage m) {
    if (refused) {
      return;
    }
    if (m.hasHello() && !names.namesNode(m.getHello().getNode())) {
      refused = true;
      log.warn("refused a hello for node {} from {}: its certificate names {}", m.getHello().getNode(), peer,
          names.commonName().orElse("no node"));
      String why = "this certificate is node " + names.commonName().orElse("?") + "'s; it may not speak for node "
          + m.getHello().getNode();
      sessions.refusals.refused("denied", "Session", peer.address(),
          java.util.Optional.of("node certificate " + names.commonName().orElse("?")), why, m.getHello());
      out.fail(Status.PERMISSION_DENIED.withDescription(why));
      sessions.serial.execute(() -> sessions.end(session)); // an earlier hello of this stream, for its own node, ends too
      return;
    }
    if (m.hasHello() && Names.isNodeName(m.getHello().getNode())) {
      identity = new String[] {m.getHello().getNode(), m.getHello().getIncarnation()};
    }
    if (m.hasRenewal()) {
      // Renewals never wait for the session thread: right after a replica died, every agent
      // it served says hello elsewhere at once, and their leases must not queue behind that.
      String[] id = identity;
      long received = sessions.view.now();
      if (id != null) {
        sessions.leaseThreads.execute(() -> sessions.renew(id[0], id[1], m.getRenewal(), out, received));
      }
      return;
    }
    sessions.serial.execute(() -> {
      try {
        if (out.gone()) {
          return; // queued behind other work while the agent already left
        }
        if (m.hasHello()) {
          session = sessions.hello(m.getHello(), out);
        } else if (m.hasReport() && session != null) {
          sessions.report(session, m);
        } else if (m.hasInventory() && session != null) {
          sessions.inventory(session, m.getInventory());
        }
      } catch (Exception e) {
        log.warn("agent stream from {}: {}", session == null ? "?" : session.node, e.toString());
        out.fail(Status.UNAVAILABLE.withDescription(e.getMessage()));
        sessions.end(session);
      }
    });
  }

  @Override
  public void onError(Throwable t) {
    sessions.serial.execute(() -> sessions.end(session));
  }

  @Override
  public void onCompleted() {
    sessions.serial.execute(() -> {
      sessions.end(session);
      out.complete();
    });
  }
}
