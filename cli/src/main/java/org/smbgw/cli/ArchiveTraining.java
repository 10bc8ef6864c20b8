package org.smbgw.cli;

import io.grpc.Server;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.Writer;
import org.smbgw.common.Grpc;
import org.smbgw.common.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.smbgw.common.tls.Pki;
import org.smbgw.common.tls.TlsConfig;
import org.smbgw.common.tls.TlsFiles;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.StatusRequest;
import org.smbgw.proto.v1.StatusResponse;

/**
 * The training run the smbgw package's postinst makes /usr/bin/smbgw's class-data sharing archive
 * from (issue 16): {@code smbgw --help}, which builds every command, and {@code smbgw status}
 * against a stand-in coordinator in this JVM, so that the archive holds what a real answer loads
 * (HTTP/2, protobuf, the table) rather than only a refused connection: status then started in 0.57
 * instead of 0.70 s of CPU. Nothing else runs it; it prints nothing and exits 0 when both commands
 * did.
 */
final class ArchiveTraining {
  private ArchiveTraining() {}

  public static void main(String[] args) throws Exception {
    // A throwaway CA and certificate, so that the archive also holds what a TLS handshake loads.
    Path pki = Files.createTempDirectory("smbgw-training");
    Pki ca = new Pki(pki, Clock.systemUTC());
    ca.init("training", Duration.ofHours(1));
    ca.issue("training", List.of(), Duration.ofHours(1), pki);
    Server coordinator = Grpc.server(new HostPort("127.0.0.1", 0), TlsFiles.node(TlsConfig.pki(pki))).addService(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void status(StatusRequest request, StreamObserver<StatusResponse> answer) {
        answer.onNext(StatusResponse.getDefaultInstance());
        answer.onCompleted();
      }
    }).build().start();
    int help;
    int status;
    try (PrintWriter nowhere = new PrintWriter(Writer.nullWriter())) {
      help = Smbgw.run(new String[] {"--help"}, nowhere, nowhere);
      status = Smbgw.run(new String[] {"--coordinator", "127.0.0.1:" + coordinator.getPort(),
          "--ca", pki.resolve(Pki.CA_CERT).toString(), "status"}, nowhere, nowhere);
    } finally {
      coordinator.shutdownNow();
      try (var files = Files.list(pki)) {
        files.forEach(f -> f.toFile().delete());
      }
      Files.delete(pki);
    }
    System.exit(help == 0 && status == 0 ? 0 : 1);
  }
}
