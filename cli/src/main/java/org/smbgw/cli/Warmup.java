package org.smbgw.cli;

import io.grpc.netty.shaded.io.netty.handler.ssl.OpenSsl;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.smbgw.proto.v1.AdminServiceGrpc;

/**
 * Readies what a call to a coordinator needs on a second thread while the main thread builds and
 * parses the command line (issue 16): most of a command's start is classes initialising, run
 * once, in the interpreter, and these do not depend on the command line. Nothing made here is
 * kept. The main thread waits for the Netty and protobuf part ({@link #awaitTransport}) before it
 * touches either, so that no class of theirs is ever initialised on two threads at once.
 */
final class Warmup {
  private static final CountDownLatch TRANSPORT = new CountDownLatch(1);
  private static volatile boolean started;
  private static volatile LinkageError failed;

  private Warmup() {}

  /** Starts the warm-up; for a process that is about to call a coordinator, once. */
  static void start() {
    started = true;
    Thread t = new Thread(Warmup::run, "smbgw-warmup");
    t.setDaemon(true);
    t.start();
  }

  /**
   * Waits (at most 10 s) for the warm-up to be done with Netty and protobuf; at once when none was
   * started (a command run inside another program).
   *
   * @throws LinkageError the one the warm-up met: the main thread would only be told the class
   *     cannot be initialised, without the cause
   */
  static void awaitTransport() {
    if (!started) {
      return;
    }
    try {
      TRANSPORT.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failed != null) {
      throw failed;
    }
  }

  private static void run() {
    try {
      // Netty's OpenSSL binding: loads its library and probes the JDK's TLS.
      OpenSsl.isAvailable();
      // The API's protobuf descriptors and gRPC's method table.
      AdminServiceGrpc.getServiceDescriptor();
    } catch (LinkageError e) {
      failed = e;
    } finally {
      TRANSPORT.countDown();
    }
    try {
      // The JDK's list of public CAs, read from its cacerts file the first time a server's name
      // is checked against its certificate (JDK code only, safe beside the main thread).
      Class.forName("sun.security.util.AnchorCertificates", true, null);
    } catch (ClassNotFoundException | LinkageError e) {
      // Another JDK: the handshake reads what it needs itself.
    }
  }
}
