package org.smbgw.coordinator.metrics;

import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.ShareState;

/**
 * Every metric of a coordinator replica: the cluster as this replica's view sees it (leader,
 * epoch, nodes and shares by state, events kept), admin call latency by method and status, and
 * ZooKeeper write latency. Served on /metrics by Prometheus's own HTTP exporter.
 */
public final class CoordinatorMetrics implements AutoCloseable, org.smbgw.coordinator.ha.HaListener {
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final Histogram adminCalls = Histogram.builder().name("smbgw_coordinator_admin_call_seconds")
      .help("Admin API calls served by this replica (forwarded ones included), by method and status")
      .labelNames("method", "code").register(registry);
  private final Histogram zkWrites = Histogram.builder().name("smbgw_coordinator_zookeeper_write_seconds")
      .help("Fenced ZooKeeper transactions, by outcome").labelNames("outcome").register(registry);
  private final io.prometheus.metrics.core.metrics.Counter placementChanges = io.prometheus.metrics.core.metrics.Counter.builder()
      .name("smbgw_coordinator_placement_changes_total")
      .help("Shares moved to another node by this replica as leader, by cause (failover, planned, placement)")
      .labelNames("cause").register(registry);
  private final io.prometheus.metrics.core.metrics.Counter failovers = io.prometheus.metrics.core.metrics.Counter.builder()
      .name("smbgw_coordinator_failovers_total").help("Address failovers finished (new holder serving) while this replica led")
      .register(registry);
  private final Histogram failoverPhases = Histogram.builder().name("smbgw_coordinator_failover_phase_seconds")
      .help("Seconds from a failed node's last lease renewal to each failover phase (detected, reassigned, address_up, serving)")
      .classicUpperBounds(0.5, 1, 1.5, 2, 2.25, 2.5, 2.75, 3, 3.5, 4, 5, 7.5, 10, 20, 30)
      .labelNames("phase").register(registry);
  private final io.prometheus.metrics.core.metrics.Counter dutyFailures = io.prometheus.metrics.core.metrics.Counter.builder()
      .name("smbgw_coordinator_duty_failures_total")
      .help("Writes of the leader's duties that failed for another reason than a view that trailed ZooKeeper, by duty")
      .labelNames("duty").register(registry);
  private final io.prometheus.metrics.core.metrics.Counter authRefusals = io.prometheus.metrics.core.metrics.Counter.builder()
      .name("smbgw_coordinator_auth_refusals_total")
      .help("Admin calls refused: without a valid token (unauthenticated), from a source locked out after repeated "
          + "failures (locked_out), or beyond the token's role (denied)")
      .labelNames("reason").register(registry);
  private HTTPServer server;

  public CoordinatorMetrics(ClusterView view, BooleanSupplier leader) {
    // Every phase exported from the start (at zero), so that dashboards and rules find the series
    // before the first failover.
    for (String phase : java.util.List.of("detected", "reassigned", "address_up", "serving")) {
      failoverPhases.labelValues(phase);
    }
    for (String duty : java.util.List.of("address", "election", "housekeeping")) {
      dutyFailures.labelValues(duty);
    }
    for (String reason : java.util.List.of("unauthenticated", "locked_out", "denied")) {
      authRefusals.labelValues(reason);
    }
    GaugeWithCallback.builder().name("smbgw_coordinator_leader").help("1 when this replica leads")
        .callback(cb -> cb.call(leader.getAsBoolean() ? 1 : 0)).register(registry);
    GaugeWithCallback.builder().name("smbgw_coordinator_epoch").help("The current leader's term")
        .callback(cb -> cb.call(view.epoch())).register(registry);
    GaugeWithCallback.builder().name("smbgw_coordinator_events").help("Events kept in ZooKeeper")
        .callback(cb -> cb.call(view.events().size())).register(registry);
    GaugeWithCallback.builder().name("smbgw_coordinator_nodes").help("Nodes by state").labelNames("state")
        .callback(cb -> {
          long connected = view.nodes().keySet().stream().filter(n -> view.live().containsKey(n)).count();
          long maintenance = view.nodes().values().stream().filter(n -> n.value().getMaintenance()).count();
          cb.call(connected, "connected");
          cb.call(view.nodes().size() - connected, "disconnected");
          cb.call(maintenance, "maintenance");
        }).register(registry);
    GaugeWithCallback.builder().name("smbgw_coordinator_node_lease_age_seconds")
        .help("How long ago this replica saw each node's lease renewed; past the lease plus margin its addresses move")
        .labelNames("node").callback(cb -> {
          long now = view.now();
          view.leases().forEach((node, lease) -> cb.call(Math.max(0, now - lease.seenNanos()) / 1e9, node));
        }).register(registry);
    GaugeWithCallback.builder().name("smbgw_coordinator_node_losses")
        .help("Shares and accounts a node keeps serving though its desired state lacks them (smbgw node confirm-removal)")
        .labelNames("node").callback(cb -> view.live().forEach((node, live) ->
            cb.call(live.getObserved().getLossesCount(), node))).register(registry);
    GaugeWithCallback.builder().name("smbgw_coordinator_shares").help("Shares by state, as their nodes report them")
        .labelNames("state").callback(cb -> {
          long active = 0;
          long unplaced = 0;
          for (var s : view.shares().values()) {
            String name = s.value().getName();
            var node = view.placement(name);
            if (node.isEmpty()) {
              unplaced++;
              continue;
            }
            LiveNode live = view.live().get(node.get());
            if (live != null && live.getObserved().getSharesList().stream()
                .anyMatch(x -> x.getName().equals(name) && x.getState() == ShareState.SHARE_STATE_ACTIVE)) {
              active++;
            }
          }
          cb.call(active, "active");
          cb.call(view.shares().size() - active - unplaced, "pending");
          cb.call(unplaced, "unplaced");
        }).register(registry);
  }

  /** Times every call of the service it intercepts. */
  public ServerInterceptor adminCallTimer() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        long start = System.nanoTime();
        String method = call.getMethodDescriptor().getBareMethodName();
        return next.startCall(new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            adminCalls.labelValues(method, status.getCode().name()).observe((System.nanoTime() - start) / 1e9);
            super.close(status, trailers);
          }
        }, headers);
      }
    };
  }

  @Override
  public void placementChanged(String cause, int shares) {
    if (shares > 0) {
      placementChanges.labelValues(cause).inc(shares);
    }
  }

  @Override
  public void dutyFailed(String duty) {
    dutyFailures.labelValues(duty).inc();
  }

  @Override
  public void failover(java.util.Map<String, Double> phases) {
    failovers.inc();
    phases.forEach((phase, seconds) -> failoverPhases.labelValues(phase).observe(seconds));
  }

  /** Counts an admin call refused for {@code reason} (see {@link org.smbgw.coordinator.auth.TokenAuth}). */
  public void authRefused(String reason) {
    authRefusals.labelValues(reason).inc();
  }

  /** Records one fenced ZooKeeper transaction. */
  public void zookeeperWrite(Duration took, String outcome) {
    zkWrites.labelValues(outcome).observe(took.toNanos() / 1e9);
  }

  /** Starts /metrics on {@code listen} (host:port). */
  public void serve(String listen) throws IOException {
    org.smbgw.common.HostPort at = org.smbgw.common.HostPort.parse("metricsListen", listen, true);
    server = HTTPServer.builder().hostname(at.host()).port(at.port()).registry(registry).buildAndStart();
  }

  public int port() {
    return server == null ? -1 : server.getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
