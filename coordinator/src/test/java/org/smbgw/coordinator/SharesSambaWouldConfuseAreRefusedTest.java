package org.smbgw.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.ListSharesRequest;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;
import org.smbgw.proto.v1.UpdateShareRequest;

/**
 * The coordinator refuses, at create, update and apply, a share whose name Samba or a client
 * folds onto an existing one (its znode key is plain lower-casing, which does not see the Kelvin
 * sign or the long s), or whose directory is an existing share's or nested with it, naming that
 * share; nothing is written.
 */
class SharesSambaWouldConfuseAreRefusedTest {
  private static ShareSpec zfs(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder().setPve("local-zfs"))
        .setRead(Access.newBuilder().addGroups("staff")).build();
  }

  private static ShareSpec dir(String name, String path) {
    return ShareSpec.newBuilder().setName(name).setRead(Access.newBuilder().addGroups("staff"))
        .setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(path))).build();
  }

  private static void refused(String expected, Runnable call) {
    refused(Status.Code.INVALID_ARGUMENT, expected, call);
  }

  private static void refused(Status.Code code, String expected, Runnable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::run);
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(expected), e.getStatus().getDescription());
  }

  @Test
  void caseTwinsAndNestedDirectoriesAreRefusedNamingTheExistingShare() throws Exception {
    try (Replicas r = new Replicas().start(1)) {
      Coordinator leader = r.awaitLeader(Duration.ofSeconds(20));
      StorageOffer dirs = StorageOffer.newBuilder().setId("srv").setType("dir").setPath("/srv/smb")
          .setFreeBytes(1L << 40).build();
      r.agent("n1", leader.address(), Replicas.localZfs(), dirs);
      ManagedChannel ch = Replicas.channel(leader.address());
      try {
        AdminServiceGrpc.AdminServiceBlockingStub admin =
            AdminServiceGrpc.newBlockingStub(ch).withDeadlineAfter(30, TimeUnit.SECONDS);
        admin.createShare(CreateShareRequest.newBuilder().setSpec(zfs("key")).build());
        admin.createShare(CreateShareRequest.newBuilder().setSpec(zfs("share")).build());
        admin.createShare(CreateShareRequest.newBuilder().setSpec(dir("docs", "/srv/smb/docs")).build());

        // The Kelvin sign lower-cases to 'k': the znode key already collides.
        refused(Status.Code.ALREADY_EXISTS, "'key'",
            () -> admin.createShare(CreateShareRequest.newBuilder().setSpec(zfs("\u212aey")).build()));
        // The long s does not lower-case to 's', but Samba's upper-casing and Java's make it 'S'.
        refused("spec.name: share names must differ ignoring case, as Samba and SMB clients compare them; "
            + "'\u017fhare' is the same name as existing share 'share'",
            () -> admin.createShare(CreateShareRequest.newBuilder().setSpec(zfs("\u017fhare")).build()));
        refused("spec.storage.directory.path: is inside /srv/smb/docs, the directory of existing share 'docs'",
            () -> admin.createShare(CreateShareRequest.newBuilder().setSpec(dir("sub", "/srv/smb/docs/sub")).build()));
        refused("existing share 'docs'", () -> admin.updateShare(UpdateShareRequest.newBuilder()
            .setSpec(dir("key", "/srv/smb/docs")).build()));
        refused("Share/\u017fhare: spec.name", () -> admin.apply(ApplyRequest.newBuilder()
            .addShares(zfs("\u017fhare")).build()));
        refused("existing share 'docs'", () -> admin.apply(ApplyRequest.newBuilder()
            .addShares(dir("all", "/srv/smb")).build()));
        // A share may keep its own directory when it is updated.
        admin.updateShare(UpdateShareRequest.newBuilder().setSpec(dir("docs", "/srv/smb/docs").toBuilder()
            .setComment("kept").build()).build());

        assertEquals(3, admin.listShares(ListSharesRequest.getDefaultInstance()).getSharesCount());
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
