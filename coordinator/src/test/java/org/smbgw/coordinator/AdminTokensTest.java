package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.CreateTokenRequest;
import org.smbgw.proto.v1.DeleteShareRequest;
import org.smbgw.proto.v1.ListSharesRequest;
import org.smbgw.proto.v1.ListTokensRequest;
import org.smbgw.proto.v1.RevokeTokenRequest;
import org.smbgw.proto.v1.Role;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.Token;

/**
 * Administrators' tokens on real replicas over mutual TLS, through the leader and through a
 * follower: no token or a wrong one is UNAUTHENTICATED (the CLI exits 5), a token's role bounds
 * what it may do, a revoked token stops working, and ZooKeeper holds no secret.
 */
class AdminTokensTest {
  private static AdminServiceGrpc.AdminServiceBlockingStub stub(Replicas r, String address, String token) {
    ManagedChannel ch = Replicas.channel(address, token);
    r.closeables.add(ch::shutdownNow);
    return AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  private static void refused(Status.Code code, String says, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(String.valueOf(e.getStatus().getDescription()).contains(says), e.getStatus().toString());
  }

  private static ShareSpec share(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder().setPve("local-zfs"))
        .setRead(Access.newBuilder().addGroups("staff")).build();
  }

  @Test
  void everyCallNeedsAValidTokenWhoseRoleAllowsItThroughAnyReplica() throws Exception {
    try (Replicas r = new Replicas().start(2)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      Coordinator follower = r.follower();
      for (Coordinator c : List.of(leader, follower)) {
        refused(Status.Code.UNAUTHENTICATED, "needs an administrator's token",
            () -> stub(r, c.address(), null).listShares(ListSharesRequest.getDefaultInstance()));
        refused(Status.Code.UNAUTHENTICATED, "not valid",
            () -> stub(r, c.address(), "test-admin." + "x".repeat(43)).listShares(ListSharesRequest.getDefaultInstance()));
      }

      var admin = stub(r, follower.address(), org.smbgw.common.testing.TestTokens.ADMIN);
      List<String> secrets = new ArrayList<>();
      String viewer = admin.createToken(CreateTokenRequest.newBuilder().setName("dash").setRole(Role.ROLE_VIEWER).build())
          .getSecret();
      String operator = admin.createToken(CreateTokenRequest.newBuilder().setName("oncall").setRole(Role.ROLE_OPERATOR)
          .build()).getSecret();
      assertEquals(List.of("dash", "oncall", "test-admin"), admin.listTokens(ListTokensRequest.getDefaultInstance())
          .getTokensList().stream().map(Token::getName).toList());

      for (Coordinator c : List.of(leader, follower)) {
        var asViewer = stub(r, c.address(), viewer);
        asViewer.listShares(ListSharesRequest.getDefaultInstance());
        refused(Status.Code.PERMISSION_DENIED, "CreateShare needs admin",
            () -> asViewer.createShare(CreateShareRequest.newBuilder().setSpec(share("v")).build()));
        var asOperator = stub(r, c.address(), operator);
        refused(Status.Code.PERMISSION_DENIED, "DeleteShare needs admin",
            () -> asOperator.deleteShare(DeleteShareRequest.newBuilder().setName("x").setPurge(true).build()));
        refused(Status.Code.PERMISSION_DENIED, "CreateToken needs admin", () -> asOperator.createToken(
            CreateTokenRequest.newBuilder().setName("mine").setRole(Role.ROLE_ADMIN).build()));
      }

      // The command line: no token is exit 5, saying where it looks (in a home without one).
      StringWriter err = new StringWriter();
      String home = System.getProperty("user.home");
      int code;
      try {
        System.setProperty("user.home", r.tempDir().toString());
        code = org.smbgw.cli.Smbgw.run(new String[] {"--coordinator", follower.address(), "--ca",
            Replicas.PKI.ca().toString(), "share", "list"}, new PrintWriter(new StringWriter()), new PrintWriter(err, true));
      } finally {
        System.setProperty("user.home", home);
      }
      assertEquals(5, code, err.toString());
      assertTrue(err.toString().contains("--token-file"), err.toString());
      Path readable = org.smbgw.common.testing.TestTokens.file(r.tempDir().resolve("readable-token"), viewer);
      Files.setPosixFilePermissions(readable, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
      code = org.smbgw.cli.Smbgw.run(new String[] {"--coordinator", follower.address(), "--ca",
          Replicas.PKI.ca().toString(), "--token-file", readable.toString(), "share", "list"},
          new PrintWriter(new StringWriter()), new PrintWriter(err, true));
      assertEquals(2, code, "a token file others may read is refused: " + err);
      assertTrue(err.toString().contains("chmod 600"), err.toString());

      refused(Status.Code.FAILED_PRECONDITION, "last admin token",
          () -> admin.revokeToken(RevokeTokenRequest.newBuilder().setName("test-admin").build()));
      // The audit trail: who was refused what, and what changed, with no NT hash in it.
      String hash = "8846F7EAEE8FB117AD06BDD830B7586C";
      admin.putUser(org.smbgw.proto.v1.PutUserRequest.newBuilder().setSpec(org.smbgw.proto.v1.UserSpec.newBuilder()
          .setName("alice").setNtHash(hash)).build());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      List<org.smbgw.proto.v1.AuditRecord> trail = List.of();
      while (System.nanoTime() < deadline && trail.stream().noneMatch(a -> a.getMethod().equals("PutUser"))) {
        Thread.sleep(100);
        trail = admin.listAudit(org.smbgw.proto.v1.ListAuditRequest.getDefaultInstance()).getRecordsList();
      }
      List<String> lines = trail.stream().map(a -> a.getWho() + " " + a.getMethod() + " " + a.getResult()).toList();
      assertTrue(lines.contains("anonymous ListShares UNAUTHENTICATED"), lines.toString());
      assertTrue(lines.contains("token dash (viewer) CreateShare PERMISSION_DENIED"), lines.toString());
      assertTrue(trail.stream().filter(a -> a.getMethod().equals("CreateShare") && a.getWho().startsWith("token dash"))
          .allMatch(a -> a.getRequest().contains("\"name\":\"v\"")), "a denied call's record says what was asked");
      assertTrue(lines.contains("token oncall (operator) DeleteShare PERMISSION_DENIED"), lines.toString());
      assertTrue(lines.contains("token test-admin (admin) CreateToken OK"), lines.toString());
      org.smbgw.proto.v1.AuditRecord put = trail.stream().filter(a -> a.getMethod().equals("PutUser")).findFirst()
          .orElseThrow(() -> new AssertionError("no PutUser in " + lines));
      assertTrue(put.getRequest().contains("alice") && !put.getRequest().contains(hash), put.getRequest());
      assertTrue(put.getFrom().contains("via"), "a call through a follower names it: " + put.getFrom());
      assertEquals(List.of("PutUser"), admin.listAudit(org.smbgw.proto.v1.ListAuditRequest.newBuilder()
          .setWho("test-admin").setSinceMillis(put.getTimeMillis()).build()).getRecordsList().stream()
          .map(org.smbgw.proto.v1.AuditRecord::getMethod).filter(m -> !m.equals("RevokeToken")).toList());
      secrets.add(hash);

      // A viewer following events through a follower is cut off when its token is revoked.
      java.util.concurrent.LinkedBlockingQueue<Throwable> ended = new java.util.concurrent.LinkedBlockingQueue<>();
      java.util.concurrent.CountDownLatch open = new java.util.concurrent.CountDownLatch(1);
      ManagedChannel following = Replicas.channel(follower.address(), viewer);
      r.closeables.add(following::shutdownNow);
      AdminServiceGrpc.newStub(following).watchEvents(org.smbgw.proto.v1.WatchEventsRequest.newBuilder().setFollow(true)
          .build(), new io.grpc.stub.StreamObserver<>() {
            @Override
            public void onNext(org.smbgw.proto.v1.Event e) {
              open.countDown();
            }

            @Override
            public void onError(Throwable t) {
              ended.add(t);
            }

            @Override
            public void onCompleted() {
              ended.add(new AssertionError("completed instead of refused"));
            }
          });
      assertTrue(open.await(20, TimeUnit.SECONDS), "the stream is open on the leader (the tokens' events came back)");
      admin.revokeToken(RevokeTokenRequest.newBuilder().setName("dash").build());
      refused(Status.Code.UNAUTHENTICATED, "not valid",
          () -> stub(r, follower.address(), viewer).listShares(ListSharesRequest.getDefaultInstance()));
      Throwable cut = ended.poll(20, TimeUnit.SECONDS);
      assertEquals(Status.Code.UNAUTHENTICATED, Status.fromThrowable(cut).getCode(), String.valueOf(cut));
      assertTrue(Status.fromThrowable(cut).getDescription().contains("token dash was revoked"), String.valueOf(cut));

      // Nothing under /smbgw holds a token's secret nor the NT hash above (the user's record has it sealed).
      for (String t : List.of(viewer, operator)) {
        secrets.add(t.substring(t.indexOf('.') + 1));
      }
      try (CuratorFramework zk = TestKeys.client(r.zk.getConnectString())) {
        List<String> found = new ArrayList<>();
        scan(zk, "/smbgw", secrets, found);
        assertEquals(List.of(), found, "znodes holding a token's secret");
      }
    }
  }

  private static void scan(CuratorFramework zk, String path, List<String> secrets, List<String> found) throws Exception {
    byte[] data = zk.getData().forPath(path);
    String text = data == null ? "" : new String(data, StandardCharsets.ISO_8859_1);
    for (String s : secrets) {
      if (text.contains(s)) {
        found.add(path);
      }
    }
    for (String child : zk.getChildren().forPath(path)) {
      scan(zk, (path.equals("/") ? "" : path) + "/" + child, secrets, found);
    }
  }
}
