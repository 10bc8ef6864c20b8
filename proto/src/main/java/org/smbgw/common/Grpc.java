package org.smbgw.common;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.smbgw.common.tls.Peer;
import org.smbgw.common.tls.TlsFiles;

/**
 * The one place gRPC channels and servers are built, for agent, coordinator and CLI alike, and
 * always with TLS: a channel checks that the server's certificate comes from the trusted CA and
 * covers the name or address it dialled, and presents this node's certificate when it has one
 * (agents, coordinators forwarding to the leader); a server presents its node's certificate,
 * asks clients for theirs and records who called ({@link Peer}). There is no plaintext mode.
 */
public final class Grpc {
  private Grpc() {}

  /**
   * A channel to one replica; {@code keepAlive} for long-lived streams (the agent's session); every
   * call passes through {@code interceptors} (an administrator's token, say).
   */
  public static ManagedChannel channel(HostPort target, boolean keepAlive, TlsFiles tls,
      io.grpc.ClientInterceptor... interceptors) {
    return builder(target, keepAlive, tls).intercept(interceptors).build();
  }

  /**
   * A channel to one replica whose I/O runs on {@code loop}, on Java's NIO; the caller shuts the
   * loop down. For a short-lived process: at exit the JVM waits up to 300 ms for threads still in
   * native code, and gRPC's shared I/O thread sits in epoll_wait until a second after its last
   * channel closed.
   */
  public static ManagedChannel channel(HostPort target, EventLoopGroup loop, TlsFiles tls,
      io.grpc.ClientInterceptor... interceptors) {
    return builder(target, false, tls).eventLoopGroup(loop).channelType(NioSocketChannel.class).intercept(interceptors)
        .build();
  }

  private static NettyChannelBuilder builder(HostPort target, boolean keepAlive, TlsFiles tls) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(target.toString(), tls.channelCredentials());
    if (keepAlive) {
      b.keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS).keepAliveWithoutCalls(true);
    }
    return b;
  }

  /** A server builder bound to {@code listen}, serving with {@code tls}; the caller adds services and starts it. */
  public static NettyServerBuilder server(HostPort listen, TlsFiles tls) {
    return (NettyServerBuilder) NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port()),
        tls.serverCredentials()).intercept(Peer.capture());
  }
}
