package org.smbgw.agent.pve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;

/** A storage.cfg as Proxmox VE 8 writes it. */
class StorageConfigTest {
  private static final String CFG = """
      dir: local
      \tpath /var/lib/vz
      \tcontent iso,vztmpl,backup

      zfspool: local-zfs
      \tpool rpool/data
      \tsparse
      \tcontent images,rootdir

      cephfs: cephfs
      \tpath /mnt/pve/cephfs
      \tcontent backup,iso

      zfspool: tank
      \tpool tank/vm
      \tnodes pve2,pve3
      \tcontent images

      nfs: backups
      \texport /srv/backups
      \tserver 10.0.0.9
      \tdisable
      \tcontent backup""";

  @Test
  void readsEverySectionIncludingTheLastWithoutATrailingNewline() {
    Map<String, PveStorage> s = StorageConfig.parse(CFG);
    assertEquals(List.of("local", "local-zfs", "cephfs", "tank", "backups"), List.copyOf(s.keySet()));
    assertEquals("rpool/data", s.get("local-zfs").pool());
    assertTrue(s.get("cephfs").reachableFromOtherNodes());
    assertFalse(s.get("local-zfs").reachableFromOtherNodes());
    assertFalse(s.get("tank").availableOn("pve1"), "restricted to other nodes");
    assertTrue(s.get("tank").availableOn("pve2"));
    assertFalse(s.get("backups").availableOn("pve1"), "disabled");
  }

  @Test
  void sharesNamingAStorageResolveToThisNodesDatasetOrDirectory() {
    StorageResolver r = new StorageResolver("pve1", StorageConfig.parse(CFG));
    NodeDesiredState d = r.resolve(NodeDesiredState.newBuilder()
        .addShares(ShareSpec.newBuilder().setName("a").setQuotaBytes(1 << 30).setStorage(Storage.newBuilder().setPve("local-zfs")))
        .addShares(ShareSpec.newBuilder().setName("b").setStorage(Storage.newBuilder().setPve("cephfs"))).build());
    assertEquals("rpool/data", d.getShares(0).getStorage().getZfs().getParent());
    assertEquals("/mnt/pve/cephfs/smbgw/b", d.getShares(1).getStorage().getDirectory().getPath());
    assertTrue(r.roots().contains(Path.of("/mnt/pve/cephfs/smbgw")));
  }

  @Test
  void aStorageThisNodeLacksOrAQuotaOnADirectoryIsRefusedNamingTheShare() {
    StorageResolver r = new StorageResolver("pve1", StorageConfig.parse(CFG));
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> r.resolve(NodeDesiredState.newBuilder()
        .addShares(ShareSpec.newBuilder().setName("x").setStorage(Storage.newBuilder().setPve("tank")))
        .addShares(ShareSpec.newBuilder().setName("y").setQuotaBytes(5).setStorage(Storage.newBuilder().setPve("cephfs")))
        .build()));
    assertEquals(2, e.violations().size());
    assertTrue(e.violations().get(0).field().startsWith("Share/x"));
  }
}
