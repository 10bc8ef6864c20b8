package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.e2e.lab.NetnsSockets;

/**
 * The lab's client sockets are made in the client's network namespace: a listener there, on a
 * loopback port nothing here listens on, is reached through them and refuses a socket of this
 * namespace. Nothing leaves the namespace's own loopback.
 */
class NetnsSocketsTest {
  private final CommandRunner runner = new CommandRunner(new AgentMetrics(new com.codahale.metrics.MetricRegistry()),
      Duration.ofSeconds(30));
  private final String ns = "sgwn-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
  private Process listener;

  @AfterEach
  void stop() throws Exception {
    try {
      if (listener != null) {
        listener.destroyForcibly().waitFor();
      }
    } finally {
      runner.runAllowingFailure(Command.of("ip", "netns", "del", ns));
      runner.close();
    }
  }

  @Test
  void aSocketReachesTheNamespacesOwnLoopbackAndNamesAreNotLookedUp() throws Exception {
    runner.run(Command.of("ip", "netns", "add", ns));
    runner.run(Command.of("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up"));
    int port = 47000 + ThreadLocalRandom.current().nextInt(1000);
    // Answers every connection with one line, inside the namespace only.
    listener = new ProcessBuilder(List.of("ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
        "import socket\ns = socket.socket()\ns.bind(('127.0.0.1', " + port + "))\ns.listen()\nprint('ready', flush=True)\n"
            + "while True:\n  c, _ = s.accept()\n  c.sendall(b'inside\\n')\n  c.close()\n"))
        .redirectErrorStream(true).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
    assertEquals("ready", CompletableFuture.supplyAsync(() -> {
      try {
        return out.readLine();
      } catch (IOException e) {
        return e.toString();
      }
    }).get(30, TimeUnit.SECONDS));

    try (NetnsSockets sockets = new NetnsSockets(ns)) {
      try (Socket s = sockets.unconnected()) {
        s.connect(NetnsSockets.literal("127.0.0.1", port), 5000);
        String said = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)).readLine();
        assertEquals("inside", said);
      }
      for (String name : List.of("localhost", "cafe", "10.1.2", "999.1.1.1")) { // hex letters alone, or a short form, are names too
        IOException named = assertThrows(IOException.class, () -> NetnsSockets.literal(name, port));
        assertTrue(named.getMessage().contains("not an address"), named.getMessage());
      }
    }
    // The same port from this namespace: nobody listens.
    try (Socket here = new Socket()) {
      assertThrows(ConnectException.class, () -> here.connect(new InetSocketAddress("127.0.0.1", port), 5000));
    }
  }

  @Test
  void aNamespaceThatIsNotThereMakesNoFactory() {
    IOException e = assertThrows(IOException.class, () -> new NetnsSockets(ns + "-missing").close());
    assertTrue(e.getMessage().contains("cannot make a socket in the namespace"), e.getMessage());
  }
}
