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

  /** @param args the directory to put Netty's OpenSSL library in (see {@link #unpackTcnative}), or nothing */
  public static void main(String[] args) throws Exception {
    if (args.length == 1) {
      try {
        unpackTcnative(Path.of(args[0]));
      } catch (java.io.IOException e) {
        // The archive is still worth making: Netty unpacks the library itself, as before.
        System.err.println("smbgw: cannot unpack Netty's OpenSSL binding into " + args[0] + ": " + e);
      }
    }
    Smbgw.startQuickly(StatusCommand.class);
    // A throwaway CA and certificate, so that the archive also holds what a TLS handshake loads.
    Path pki = Files.createTempDirectory("smbgw-training");
    Pki ca = new Pki(pki, Clock.systemUTC());
    ca.init("training", Duration.ofHours(1));
    ca.issue("training", List.of(), Duration.ofHours(1), pki);
    Server coordinator = Grpc.server(new HostPort("127.0.0.1", 0), TlsFiles.node(TlsConfig.pki(pki))).addService(new AdminServiceGrpc.AdminServiceImplBase() {
      @Override
      public void status(StatusRequest request, StreamObserver<StatusResponse> answer) {
        // An answer with every field set, so that reading one is in the archive too.
        answer.onNext(StatusResponse.newBuilder().setLeader("127.0.0.1:7400").setEpoch(1)
            .addCoordinators("127.0.0.1:7400").setNodes(1).setNodesConnected(1).setShares(1).setSharesActive(1)
            .setSharesUnplaced(0).build());
        answer.onCompleted();
      }
    }).build().start();
    // A token, so that the archive also holds what puts one on a call.
    Path token = pki.resolve("token");
    Files.writeString(token, "training." + "A".repeat(43) + "\n");
    Files.setPosixFilePermissions(token, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
    int help;
    int status;
    try (PrintWriter nowhere = new PrintWriter(Writer.nullWriter())) {
      help = Smbgw.run(new String[] {"--help"}, nowhere, nowhere);
      status = Smbgw.run(new String[] {"--coordinator", "127.0.0.1:" + coordinator.getPort(),
          "--ca", pki.resolve(Pki.CA_CERT).toString(), "--token-file", token.toString(), "status"}, nowhere, nowhere);
    } finally {
      coordinator.shutdownNow();
      try (var files = Files.list(pki)) {
        files.forEach(f -> f.toFile().delete());
      }
      Files.delete(pki);
    }
    System.exit(help == 0 && status == 0 ? 0 : 1);
  }

  /**
   * Writes the OpenSSL binding library Netty would otherwise unpack from the jar into a temporary
   * file and load at every start (about 20 ms of "smbgw status", issue 16) into {@code dir}, where
   * /usr/bin/smbgw points {@code java.library.path} and Netty looks first. Nothing is written for a
   * machine the jar carries no library for; Netty then uses Java's TLS as before.
   */
  static void unpackTcnative(Path dir) throws java.io.IOException {
    String name = "libio_grpc_netty_shaded_netty_tcnative_linux_"
        + io.grpc.netty.shaded.io.netty.util.internal.PlatformDependent.normalizedArch() + ".so";
    try (java.io.InputStream in = ArchiveTraining.class.getResourceAsStream("/META-INF/native/" + name)) {
      if (in == null) {
        return;
      }
      Files.createDirectories(dir);
      Path part = Files.createTempFile(dir, name, ".part");
      try {
        Files.copy(in, part, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(part, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.move(part, dir.resolve(name), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(part);
      }
    }
  }
}
