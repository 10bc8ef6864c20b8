package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.SmbClient;
import org.smbgw.common.NtHash;

/** smbstatus replaced by one that hangs: shares keep being served and /metrics keeps answering. */
class HungSmbstatusTest {
  @Test
  void aHangingSmbstatusNeitherBlocksTheEndpointNorTheShares() throws Exception {
    Path hang = Files.createTempFile("smbstatus-hangs", ".sh",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
    Files.writeString(hang, "#!/bin/sh\nexec sleep 600\n");
    try (SandboxAgent node = new SandboxAgent().smbstatus(hang.toString()).start();
         SmbClient client = new SmbClient("127.0.0.1", node.port())) {
      String user = node.user("hung");
      node.desire("apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + user + "}\nspec: {ntHash: "
          + NtHash.of("Hung-pw1".toCharArray()) + "}\n---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: h}\n"
          + "spec:\n  storage: {directory: {path: " + node.directoryRoot().resolve("h") + "}}\n  write: {users: [" + user + "]}\n");
      Reconciler.PassReport first = node.reconcile();
      assertEquals(java.util.Map.of(), first.outcome().errors(), "the pass succeeds without connection counts");
      assertEquals(0, node.reconcile().plan().size(), "and the node converges");

      // A pass is stuck in smbstatus right now; the endpoint and smbd do not wait for it.
      CompletableFuture<Reconciler.PassReport> stuck = CompletableFuture.supplyAsync(() -> {
        try {
          return node.reconcile();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      });
      HttpResponse<String> metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
          URI.create("http://127.0.0.1:" + node.agent().metricsPort() + "/metrics")).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("smbgw_share_active{node=\"test\",share=\"h\"} 1.0"), metrics.body());
      CommandResult served = client.run("h", user, "Hung-pw1", "ls");
      assertEquals(0, served.exitCode(), SmbClient.output(served));
      assertTrue(stuck.get().outcome().ok(), "the stuck pass ends by itself, without error");
    } finally {
      Files.deleteIfExists(hang);
    }
  }
}
