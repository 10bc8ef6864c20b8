package org.smbgw.cli;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import org.smbgw.proto.v1.AdminServiceGrpc;

/**
 * Readies what a call to a coordinator needs on a second thread while the main thread builds and
 * parses the command line (issue 16): most of a command's start is classes initialising, run
 * once, in the interpreter, and these do not depend on the command line. Nothing here is kept or
 * used later; a failure here is the real path's to report, so it is ignored.
 */
final class Warmup {
  private Warmup() {}

  static void start() {
    Thread t = new Thread(Warmup::run, "smbgw-warmup");
    t.setDaemon(true);
    t.start();
  }

  private static void run() {
    try {
      // Netty's OpenSSL binding: extracts and loads its library and probes the JDK's TLS.
      OpenSsl.isAvailable();
      // The JDK's list of public CAs, read from its cacerts file the first time a server's name
      // is checked against its certificate.
      Class.forName("sun.security.util.AnchorCertificates", true, null);
      // The API's protobuf descriptors and gRPC's method table.
      AdminServiceGrpc.getServiceDescriptor();
    } catch (Exception | LinkageError e) {
      // Only a head start: the command's own path does all of this again and reports failures.
    }
  }
}
