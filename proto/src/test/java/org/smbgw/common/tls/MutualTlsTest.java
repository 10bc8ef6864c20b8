package org.smbgw.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import org.smbgw.common.testing.TestPki;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.StatusRequest;
import org.smbgw.proto.v1.StatusResponse;

/** Real gRPC over loopback with {@link Grpc}'s channels and servers: who gets in, and reloads. */
class MutualTlsTest {
  private final TestPki pki = TestPki.create();
  private final TestPki other = TestPki.create();
  private final List<Peer> callers = new CopyOnWriteArrayList<>();
  private final List<ManagedChannel> channels = new CopyOnWriteArrayList<>();
  private TlsFiles serverFiles;
  private Server server;

  @BeforeEach
  void start() throws Exception {
    serverFiles = pki.files("c1");
    server = Grpc.server(new HostPort("127.0.0.1", 0), serverFiles).addService(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void status(StatusRequest request, StreamObserver<StatusResponse> answer) {
        callers.add(Peer.current());
        answer.onNext(StatusResponse.getDefaultInstance());
        answer.onCompleted();
      }
    }).build().start();
  }

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    pki.close();
    other.close();
  }

  private StatusResponse call(String host, TlsFiles client) {
    return call(host, client, new AtomicReference<>());
  }

  /** One status call to the test server dialled as {@code host}; the server's certificate goes to {@code seen}. */
  private StatusResponse call(String host, TlsFiles client, AtomicReference<X509Certificate> seen) {
    ManagedChannel ch = Grpc.channel(new HostPort(host, server.getPort()), false, client);
    channels.add(ch);
    ClientInterceptor record = new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        ClientCall<Q, R> call = next.newCall(method, options);
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onHeaders(Metadata h) {
                try {
                  SSLSession s = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
                  seen.set((X509Certificate) s.getPeerCertificates()[0]);
                } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
                  throw new AssertionError(e);
                }
                super.onHeaders(h);
              }
            }, headers);
          }
        };
      }
    };
    return AdminServiceGrpc.newBlockingStub(io.grpc.ClientInterceptors.intercept(ch, record))
        .withDeadlineAfter(20, TimeUnit.SECONDS).status(StatusRequest.getDefaultInstance());
  }

  @Test
  void aNodeCertificateIsSeenByTheServerAsThatNode() {
    call("127.0.0.1", pki.files("n1"));
    assertEquals(1, callers.size());
    assertTrue(callers.get(0).names().orElseThrow().namesNode("n1"), callers.toString());
    assertFalse(callers.get(0).names().orElseThrow().namesNode("n2"));
    assertFalse(callers.get(0).names().orElseThrow().namesNode("N1"), "node names are case-sensitive");
  }

  /**
   * Proxmox's pve-ssl.pem names serverAuth as its only purpose, and each node presents it as a
   * client too (agent to coordinator, replica to leader): it must get in, as that node.
   */
  @Test
  void aNodeCertificateForServersOnlyAsProxmoxIssuesThemGetsInAsThatNode() throws Exception {
    java.nio.file.Path out = pki.dir().resolve("pve1");
    pki.pki().issue("pve1", List.of(), Duration.ofDays(1), out, org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_serverAuth);
    call("127.0.0.1", TlsFiles.node(TlsConfig.pki(out)));
    assertTrue(callers.get(0).names().orElseThrow().namesNode("pve1"), callers.toString());
    PeerNames fqdn = new PeerNames(java.util.Optional.of("pve1.example.com"), List.of());
    assertTrue(fqdn.namesNode("pve1") && fqdn.namesNode("pve1.example.com"), "Proxmox's common name is the FQDN");
    assertFalse(fqdn.namesNode("pve1.example") || fqdn.namesNode("pve") || fqdn.namesNode("PVE1"),
        "no other prefix, and case counts");
  }

  @Test
  void aPkiDirectoryChosenInTheSettingsWinsOverProxmoxsFiles() throws Exception {
    java.nio.file.Path pve = pki.dir().resolve("pve");
    Files.createDirectories(pve);
    Files.copy(pki.ca(), pve.resolve("pve-root-ca.pem"));
    java.nio.file.Path mine = pki.dir().resolve("mine");
    assertTrue(TlsConfig.resolve(pve, mine, null, null, null).source().startsWith("Proxmox's"), "by default Proxmox's");
    assertEquals(mine.resolve(Pki.NODE_CERT), TlsConfig.resolve(pve, mine, null, null, null, true).cert());
  }

  @Test
  void aClientWithoutCertificateGetsInAnonymously() {
    call("127.0.0.1", pki.client());
    assertTrue(callers.get(0).certificate().isEmpty());
  }

  /** A client of {@code other}'s CA that trusts both CAs: only the server's check can keep it out. */
  private TlsFiles trustingBoth(TlsConfig files) throws Exception {
    java.nio.file.Path bundle = other.dir().resolve("both.pem");
    Files.writeString(bundle, Files.readString(pki.ca()) + Files.readString(other.ca()));
    return TlsFiles.node(new TlsConfig(bundle, files.cert(), files.key(), "test"));
  }

  @Test
  void aClientCertificateFromAnotherCaIsRefused() throws Exception {
    TlsFiles stranger = trustingBoth(other.node("n1"));
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call("127.0.0.1", stranger));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(callers.isEmpty());
  }

  @Test
  void theCasOwnCertificateOrOneNotForTlsIsNoNodesCertificate() throws Exception {
    java.nio.file.Path ca = pki.pki().dir();
    TlsFiles asCa = TlsFiles.node(new TlsConfig(ca.resolve(Pki.CA_CERT), ca.resolve(Pki.CA_CERT), ca.resolve(Pki.CA_KEY), "test"));
    assertThrows(StatusRuntimeException.class, () -> call("127.0.0.1", asCa));
    java.nio.file.Path out = pki.dir().resolve("signer");
    pki.pki().issue("signer", List.of(), Duration.ofDays(1), out, org.bouncycastle.asn1.x509.KeyPurposeId.id_kp_codeSigning);
    assertThrows(StatusRuntimeException.class, () -> call("127.0.0.1", TlsFiles.node(TlsConfig.pki(out))));
    assertTrue(callers.isEmpty(), callers.toString());
  }

  @Test
  void aServerFromAnotherCaIsRefusedByTheClient() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call("127.0.0.1", other.client()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
    assertTrue(callers.isEmpty());
  }

  @Test
  void aServerWhoseCertificateDoesNotCoverTheAddressDialledIsRefused() {
    // Issued for c1 and loopback names only; reached here through "127.0.0.1" only. 127.0.0.2 is
    // another name for the same machine that the certificate does not cover.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call("127.0.0.2", pki.client()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.toString());
    assertTrue(callers.isEmpty());
  }

  @Test
  void aCertificateReplacedOnDiskServesNewConnectionsAfterAReload() throws Exception {
    AtomicReference<X509Certificate> seen = new AtomicReference<>();
    call("127.0.0.1", pki.client(), seen);
    X509Certificate first = seen.get();
    assertFalse(serverFiles.reload(), "nothing changed on disk");

    pki.pki().renew(pki.dir().resolve("c1"), Duration.ofDays(1));
    assertTrue(serverFiles.reload());
    call("127.0.0.1", pki.client(), seen);
    assertFalse(first.getSerialNumber().equals(seen.get().getSerialNumber()), "the new certificate is presented");
    assertEquals(serverFiles.certificate().getSerialNumber(), seen.get().getSerialNumber());
  }

  @Test
  void aTrustedCaAddedOnDiskLetsItsNodesInAfterAReload() throws Exception {
    // n9 of the other CA, which trusts both CAs itself (it must accept c1's certificate).
    java.nio.file.Path n9 = other.node("n9").cert().getParent();
    java.nio.file.Path bundle = other.dir().resolve("both.pem");
    Files.writeString(bundle, Files.readString(pki.ca()) + Files.readString(other.ca()));
    TlsFiles client = TlsFiles.node(new TlsConfig(bundle, n9.resolve(Pki.NODE_CERT), n9.resolve(Pki.NODE_KEY), "test"));
    assertThrows(StatusRuntimeException.class, () -> call("127.0.0.1", client));

    java.nio.file.Path ca = pki.dir().resolve("c1").resolve(Pki.CA_CERT);
    java.nio.file.Path tmp = ca.resolveSibling("both.tmp");
    Files.copy(bundle, tmp);
    Files.move(tmp, ca, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    assertTrue(serverFiles.reload());
    call("127.0.0.1", client);
    assertTrue(callers.get(0).names().orElseThrow().namesNode("n9"));
  }

  @Test
  void aReplacementThatIsNotTheCertificatesKeyIsRefusedAndTheOldPairStays() throws Exception {
    X509Certificate before = serverFiles.certificate();
    java.nio.file.Path dir = pki.dir().resolve("c1");
    pki.node("c2");
    Files.copy(pki.dir().resolve("c2").resolve(Pki.NODE_KEY), dir.resolve(Pki.NODE_KEY), StandardCopyOption.REPLACE_EXISTING);
    TlsException e = assertThrows(TlsException.class, serverFiles::reload);
    assertTrue(e.getMessage().contains("is not the key of the certificate"), e.getMessage());
    assertEquals(before, serverFiles.certificate());
    call("127.0.0.1", pki.client());
  }

  @Test
  void aCertificateAnotherCaIssuedIsRefusedAtLoadNamingTheFile() {
    java.nio.file.Path dir = other.node("n1").cert().getParent();
    TlsConfig mixed = new TlsConfig(pki.ca(), dir.resolve(Pki.NODE_CERT), dir.resolve(Pki.NODE_KEY), "test");
    TlsException e = assertThrows(TlsException.class, () -> TlsFiles.node(mixed));
    assertTrue(e.getMessage().contains("was not issued by the CA in " + pki.ca()), e.getMessage());
  }

  @Test
  void theWatcherTakesARenewedPairAndReportsARefusedOneOnce() throws Exception {
    java.util.concurrent.ScheduledExecutorService executor = java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      java.util.concurrent.BlockingQueue<String> heard = new java.util.concurrent.LinkedBlockingQueue<>();
      serverFiles.watch(executor, Duration.ofMillis(10), m -> heard.add("taken: " + m), m -> heard.add("refused: " + m));
      pki.pki().renew(pki.dir().resolve("c1"), Duration.ofDays(1));
      String taken = heard.poll(20, TimeUnit.SECONDS);
      assertTrue(taken != null && taken.startsWith("taken: ") && taken.contains("c1"), String.valueOf(taken));

      pki.node("c2");
      Files.copy(pki.dir().resolve("c2").resolve(Pki.NODE_KEY), pki.dir().resolve("c1").resolve(Pki.NODE_KEY),
          StandardCopyOption.REPLACE_EXISTING);
      String refused = heard.poll(20, TimeUnit.SECONDS);
      assertTrue(refused != null && refused.startsWith("refused: "), String.valueOf(refused));
      // The same problem on every later look is not repeated.
      executor.submit(() -> { }).get();
      executor.schedule(() -> { }, 50, TimeUnit.MILLISECONDS).get();
      assertEquals(null, heard.poll());
    } finally {
      executor.shutdownNow();
    }
  }
}
