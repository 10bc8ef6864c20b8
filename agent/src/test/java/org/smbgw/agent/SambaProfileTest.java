package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.testing.Eventually;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.common.NtHash;

/** With samba.profiling on, smbd's own counters reach /metrics: real smbd, real smbclient writes. */
class SambaProfileTest {
  @Test
  void writesThroughAShareShowInSmbdsProfilingCounters() throws Exception {
    try (SandboxAgent node = new SandboxAgent().profiling().start();
        SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String user = node.user("prof");
      String pw = "Pr0f-" + ThreadLocalRandom.current().nextInt();
      Path dir = node.directoryRoot().resolve("prof");
      node.desire("---\napiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
          + NtHash.of(pw.toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: prof}\nspec:\n"
          + "  storage: {directory: {path: " + dir + "}}\n  write: {users: [" + user + "]}\n");
      assertEquals(Map.of(), node.reconcile().outcome().errors());
      node.agent().profile().orElseThrow().collect(); // turns counting on
      Path up = client.localFile("up.bin");
      byte[] data = new byte[1 << 20];
      ThreadLocalRandom.current().nextBytes(data);
      Files.write(up, data);
      CommandResult put = Eventually.until(Duration.ofSeconds(10), () -> client.run("prof", user, pw, "put " + up + " up.bin"),
          r -> r.exitCode() == 0);
      assertEquals(0, put.exitCode(), SmbClient.output(put));

      node.agent().profile().orElseThrow().collect();
      Map<String, Long> counters = node.agent().profile().orElseThrow().latest();
      assertTrue(counters.getOrDefault("smb2_write_count", 0L) > 0, "smb2 writes counted: " + counters);
      assertTrue(counters.getOrDefault("syscall_pwrite_bytes", 0L) + counters.getOrDefault("syscall_asys_pwrite_bytes", 0L)
          >= data.length, "bytes written counted: " + counters);

      String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.agent().metricsPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
      assertTrue(body.contains("smbgw_samba_profile_total{counter=\"smb2_write_count\",node=\"test\"}"), body);
    }
  }
}
