package org.smbgw.common;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The one place gRPC channels and servers are built, for agent, coordinator and CLI alike.
 * Plaintext today; transport security goes here and nowhere else.
 */
public final class Grpc {
  private Grpc() {}

  /** A channel to one replica; {@code keepAlive} for long-lived streams (the agent's session). */
  public static ManagedChannel channel(HostPort target, boolean keepAlive) {
    return builder(target, keepAlive).build();
  }

  /**
   * A channel to one replica whose I/O runs on {@code loop}, on Java's NIO; the caller shuts the
   * loop down. For a short-lived process: at exit the JVM waits up to 300 ms for threads still in
   * native code, and gRPC's shared I/O thread sits in epoll_wait until a second after its last
   * channel closed.
   */
  public static ManagedChannel channel(HostPort target, EventLoopGroup loop) {
    return builder(target, false).eventLoopGroup(loop).channelType(NioSocketChannel.class).build();
  }

  private static NettyChannelBuilder builder(HostPort target, boolean keepAlive) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(target.toString()).usePlaintext();
    if (keepAlive) {
      b.keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS).keepAliveWithoutCalls(true);
    }
    return b;
  }

  /** A server builder bound to {@code listen}; the caller adds services and starts it. */
  public static NettyServerBuilder server(HostPort listen) {
    return NettyServerBuilder.forAddress(new InetSocketAddress(listen.host(), listen.port()));
  }
}
