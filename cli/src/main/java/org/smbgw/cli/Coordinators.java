package org.smbgw.cli;

import io.grpc.ClientInterceptor;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import io.grpc.stub.MetadataUtils;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Violation;
import org.smbgw.common.auth.Tokens;
import org.smbgw.common.tls.TlsFiles;
import org.smbgw.proto.v1.AdminServiceGrpc;

/**
 * The coordinators the CLI may ask, tried in order: a replica that cannot be reached, or has no
 * leader to forward to, is skipped. One channel per replica, made on first use and shared by
 * every thread of a {@code --parallel} batch (the map is concurrent; gRPC channels are
 * thread-safe). Every call has a deadline.
 */
public final class Coordinators implements AutoCloseable {
  private final List<HostPort> replicas;
  private final long deadlineSeconds;
  private final Map<HostPort, ManagedChannel> channels = new ConcurrentHashMap<>();
  /** The channels' one I/O thread, stopped by {@link #close} so that the JVM can exit at once. */
  private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1,
      new DefaultThreadFactory("smbgw-cli-io", true), NioIoHandler.newFactory());

  private final TlsFiles tls;
  private final java.nio.file.Path ca;
  /** What every call passes through: the one that puts the administrator's token on it, when there is one. */
  private final ClientInterceptor[] interceptors;

  /**
   * @param ca the CA that coordinators' certificates must come from
   * @throws InvalidSpecException naming {@code --coordinator} when an address is not host:port
   * @throws Smbgw.UsageError when the CA cannot be read
   */
  public Coordinators(List<String> addresses, long deadlineSeconds, java.nio.file.Path ca,
      java.util.Optional<String> token) {
    this.ca = ca;
    this.interceptors = token.map(t -> new ClientInterceptor[] {
        MetadataUtils.newAttachHeadersInterceptor(Tokens.headers(t))}).orElse(new ClientInterceptor[0]);
    List<Violation> bad = new java.util.ArrayList<>();
    this.replicas = addresses.stream().map(a -> HostPort.parse("--coordinator", a, false, bad))
        .filter(java.util.Objects::nonNull).toList();
    InvalidSpecException.throwIfAny(bad);
    try {
      this.tls = TlsFiles.trustOnly(ca);
    } catch (org.smbgw.common.tls.TlsException e) {
      throw new Smbgw.UsageError(e.getMessage() + " (the CA that coordinators' certificates must come from: "
          + "--ca FILE or $SMBGW_CA)");
    }
    this.deadlineSeconds = deadlineSeconds;
  }

  /** The channel to one replica, shared by every call to it. */
  ManagedChannel channel(HostPort replica) {
    return channels.computeIfAbsent(replica, r -> Grpc.channel(r, loop, tls, interceptors));
  }

  List<HostPort> replicas() {
    return replicas;
  }

  /** Runs {@code call} against the first replica that answers; throws the last failure. */
  public <T> T call(Function<AdminServiceGrpc.AdminServiceBlockingStub, T> call) {
    StatusRuntimeException last = null;
    for (HostPort replica : replicas) {
      try {
        return call.apply(AdminServiceGrpc.newBlockingStub(channel(replica))
            .withDeadlineAfter(deadlineSeconds, TimeUnit.SECONDS));
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
          throw e;
        }
        Throwable cause = e.getStatus().getCause();
        String why = cause != null && cause.getMessage() != null ? cause.getMessage()
            : e.getStatus().getDescription() != null ? e.getStatus().getDescription() : "unavailable";
        java.util.Optional<String> refused = refusedCertificate(cause);
        if (refused.isPresent()) {
          why = "its certificate was refused (" + refused.get() + "): was it issued by the CA in " + ca
              + " (--ca FILE or $SMBGW_CA), and does it cover " + replica.host() + "?";
        }
        last = Status.UNAVAILABLE.withDescription("cannot reach the coordinator at " + replica + ": " + why)
            .asRuntimeException();
      }
    }
    throw last != null ? last : Status.UNAVAILABLE.withDescription("no coordinator address given").asRuntimeException();
  }

  /** Why the TLS layer refused the server's certificate, if that is why the call failed. */
  static java.util.Optional<String> refusedCertificate(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof java.security.cert.CertificateException) {
        Throwable root = c;
        while (root.getCause() != null && root.getCause().getMessage() != null) {
          root = root.getCause();
        }
        return java.util.Optional.of(root.getMessage());
      }
    }
    return java.util.Optional.empty();
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    try {
      for (ManagedChannel c : channels.values()) {
        c.awaitTermination(1, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
