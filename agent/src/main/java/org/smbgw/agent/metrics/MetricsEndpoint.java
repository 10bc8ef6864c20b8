package org.smbgw.agent.metrics;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;

/**
 * The agent's HTTP endpoint for Prometheus: {@code /metrics} (text exposition), {@code /healthz}
 * (the process serves) and {@code /readyz} (the last pass converged). A scrape reads what the
 * last pass observed and runs no program, so a slow smbstatus or ZFS never slows it. Per-share
 * series are labelled by node and share; client addresses never become labels. Served by the
 * JDK's HTTP server on one thread: a second Netty in the agent would cost more memory than a
 * handful of scrapes a minute justify.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "smbgw-metrics");
    t.setDaemon(true);
    return t;
  });
  private final PrometheusRegistry registry = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  public MetricsEndpoint(String address, int port, MetricRegistry dropwizard, Supplier<NodeObservedState> status,
      BooleanSupplier ready) throws IOException {
    this(address, port, dropwizard, status, ready, java.util.Map::of);
  }

  /** @param profile smbd's profiling counters by name; empty when profiling is off */
  public MetricsEndpoint(String address, int port, MetricRegistry dropwizard, Supplier<NodeObservedState> status,
      BooleanSupplier ready, Supplier<java.util.Map<String, Long>> profile) throws IOException {
    DropwizardExports.builder().dropwizardRegistry(dropwizard).register(registry);
    shareGauge("smbgw_share_active", "1 when the share is published and reachable, else 0", status,
        s -> s.getState() == ShareState.SHARE_STATE_ACTIVE ? 1 : 0);
    shareGauge("smbgw_share_sessions", "SMB sessions with a tree connect to the share", status, ShareStatus::getSessions);
    shareGauge("smbgw_share_tree_connects", "Tree connects to the share", status, ShareStatus::getTreeConnects);
    shareGauge("smbgw_share_users", "Distinct users connected to the share", status, ShareStatus::getUsersCount);
    shareGauge("smbgw_share_open_files", "Files open in the share", status, ShareStatus::getOpenFiles);
    shareGauge("smbgw_share_used_bytes", "Bytes the share's dataset uses (zfs get used)", status, ShareStatus::getUsedBytes);
    shareGauge("smbgw_share_quota_bytes", "The share's quota in bytes, 0 for none", status, ShareStatus::getQuotaBytes);
    shareGauge("smbgw_share_available_bytes", "Bytes still available to the share", status, ShareStatus::getAvailableBytes);
    shareGauge("smbgw_share_quota_level", "Usage against the alert thresholds: 0 ok, 1 warning, 2 critical", status,
        s -> s.getQuotaLevel().getNumber());
    shareCounter("smbgw_share_storage_written_bytes", "Bytes the share's smbd processes wrote to storage",
        status, ShareStatus::getStorageWrittenBytes);
    shareCounter("smbgw_share_storage_read_bytes", "Bytes the share's smbd processes read from storage "
        + "(page-cache hits are not storage reads)", status, ShareStatus::getStorageReadBytes);
    GaugeWithCallback.builder().name("smbgw_sessions")
        .help("SMB sessions on the node by protocol dialect, signing and encryption in use")
        .labelNames("node", "dialect", "signing", "encryption")
        .callback(cb -> {
          NodeObservedState s = status.get();
          s.getSessionKindsList().forEach(k -> cb.call(k.getSessions(), s.getNode(), k.getDialect(), k.getSigning(),
              k.getEncryption()));
        })
        .register(registry);
    CounterWithCallback.builder().name("smbgw_samba_profile")
        .help("smbd's profiling counters (samba.profiling: true): counts, times in microseconds, bytes")
        .labelNames("node", "counter")
        .callback(cb -> {
          String node = status.get().getNode();
          profile.get().forEach((name, value) -> cb.call(value, node, name));
        })
        .register(registry);
    server = HttpServer.create(new InetSocketAddress(address, port), 16);
    server.setExecutor(thread);
    server.createContext("/metrics", this::metrics);
    server.createContext("/healthz", x -> text(x, 200, "ok\n"));
    server.createContext("/readyz", x -> {
      boolean ok = ready.getAsBoolean();
      text(x, ok ? 200 : 503, ok ? "ready\n" : "not converged yet\n");
    });
    server.start();
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private void shareGauge(String name, String help, Supplier<NodeObservedState> status,
      ToDoubleFunction<ShareStatus> value) {
    GaugeWithCallback.builder().name(name).help(help).labelNames("node", "share")
        .callback(cb -> eachShare(status, value, (v, node, share) -> cb.call(v, node, share)))
        .register(registry);
  }

  private void shareCounter(String name, String help, Supplier<NodeObservedState> status,
      ToDoubleFunction<ShareStatus> value) {
    CounterWithCallback.builder().name(name).help(help).labelNames("node", "share")
        .callback(cb -> eachShare(status, value, (v, node, share) -> cb.call(v, node, share)))
        .register(registry);
  }

  /** Where a per-share value goes: a gauge's or a counter's callback. */
  private interface Sample {
    void call(double value, String node, String share);
  }

  /** One sample per share the node serves (retired shares are not served). */
  private static void eachShare(Supplier<NodeObservedState> status, ToDoubleFunction<ShareStatus> value, Sample out) {
    NodeObservedState s = status.get();
    for (ShareStatus share : s.getSharesList()) {
      if (share.getState() != ShareState.SHARE_STATE_RETIRED) {
        out.call(value.applyAsDouble(share), s.getNode(), share.getName());
      }
    }
  }

  private void metrics(HttpExchange x) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writer.write(body, registry.scrape(), EscapingScheme.UNDERSCORE_ESCAPING);
    x.getResponseHeaders().set("Content-Type", writer.getContentType());
    x.sendResponseHeaders(200, body.size());
    try (OutputStream out = x.getResponseBody()) {
      body.writeTo(out);
    }
  }

  private static void text(HttpExchange x, int code, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    x.sendResponseHeaders(code, b.length);
    try (OutputStream out = x.getResponseBody()) {
      out.write(b);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    thread.shutdownNow();
  }
}
