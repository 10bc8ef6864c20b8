package org.smbgw.e2e;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.cli.Smbgw;

/** The smbgw command line run in this JVM against one coordinator, as an administrator types it. */
final class Cli {
  /** What one command line did: its exit code and what it printed. */
  record Result(int code, String out, String err) {}

  private Cli() {}

  /**
   * The throwaway CA of this test JVM's coordinators ("coordinator") and agents ("test"), removed
   * when the JVM exits.
   */
  static final org.smbgw.common.testing.TestPki PKI = org.smbgw.common.testing.TestPki.create();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(PKI::close, "smbgw-test-pki-cleanup"));
  }

  /**
   * A coordinator of a one-node cluster on loopback (its embedded ZooKeeper, 4 s sessions, no
   * metrics endpoint) with its state in {@code state}: started again on the same state, it is the
   * same cluster in a new term.
   */
  static org.smbgw.coordinator.CoordinatorConfig singleNode(java.nio.file.Path state) {
    int[] ports = org.smbgw.common.testing.FreePorts.distinct(2); // gRPC, the embedded ZooKeeper
    return new org.smbgw.coordinator.CoordinatorConfig("127.0.0.1", ports[0], null, "", ports[1], state, 4000, "", 2000,
        250, "text").withTls(PKI.node("coordinator"));
  }

  /** Each coordinator's admin token file, by address. */
  private static final java.util.Map<String, java.nio.file.Path> TOKENS = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * Mints the admin token of the coordinator {@code config} describes, now serving at {@code
   * address}, as root does on a coordinator node (smbgw-coordinator create-token), into a file in
   * its state directory; later command lines against it carry it.
   */
  static java.nio.file.Path admin(String address, org.smbgw.coordinator.CoordinatorConfig config) throws Exception {
    java.nio.file.Path file = config.stateDir().resolve("admin-token");
    java.nio.file.Files.deleteIfExists(file);
    org.smbgw.coordinator.LocalTokens.create(config, "e2e", "admin", file, "test");
    TOKENS.put(address, file);
    return file;
  }

  /** The options that name the coordinator, its CA and its admin token, for command lines run by hand. */
  static List<String> target(String coordinator) {
    List<String> all = new ArrayList<>(List.of("--coordinator", coordinator, "--ca", PKI.ca().toString()));
    java.nio.file.Path token = TOKENS.get(coordinator);
    if (token != null) {
      all.addAll(List.of("--token-file", token.toString()));
    }
    return all;
  }

  /** @param stdin what the command reads (a password), or null */
  static Result run(String coordinator, String stdin, String... args) {
    List<String> all = target(coordinator);
    all.addAll(List.of(args));
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    InputStream saved = System.in;
    try {
      if (stdin != null) {
        System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      }
      int code = Smbgw.run(all.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
      return new Result(code, out.toString(), err.toString());
    } finally {
      System.setIn(saved);
    }
  }
}
