package org.smbgw.common.tls;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Who is calling, as the server's TLS layer established it: the remote address and, when the
 * client presented one that the CA signed, its certificate. Every server {@link
 * org.smbgw.common.Grpc} builds puts it in each call's context; services read {@link #current()}.
 */
public record Peer(String address, Optional<X509Certificate> certificate) {
  private static final Context.Key<Peer> KEY = Context.key("smbgw-peer");

  /** The caller of the call this thread serves; an anonymous one outside a call. */
  public static Peer current() {
    Peer p = KEY.get();
    return p != null ? p : new Peer("unknown", Optional.empty());
  }

  /** The names in the caller's certificate, if it presented one. */
  public Optional<PeerNames> names() {
    return certificate.map(PeerNames::of);
  }

  /** For logs and errors: "node n1 at 10.0.0.1:5555" or "10.0.0.1:5555 (no certificate)". */
  @Override
  public String toString() {
    return names().map(n -> "node " + n.node() + " at " + address).orElse(address + " (no certificate)");
  }

  /** The interceptor that records the peer of every call. */
  public static ServerInterceptor capture() {
    return new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SocketAddress remote = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        SSLSession tls = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
        Optional<X509Certificate> cert = Optional.empty();
        if (tls != null) {
          try {
            Certificate[] chain = tls.getPeerCertificates();
            if (chain.length > 0 && chain[0] instanceof X509Certificate x) {
              cert = Optional.of(x);
            }
          } catch (SSLPeerUnverifiedException e) {
            // a client without a certificate (the CLI)
          }
        }
        String address = remote instanceof java.net.InetSocketAddress i
            ? new org.smbgw.common.HostPort(i.getAddress().getHostAddress(), i.getPort()).toString()
            : String.valueOf(remote);
        return Contexts.interceptCall(Context.current().withValue(KEY, new Peer(address, cert)), call, headers, next);
      }
    };
  }
}
