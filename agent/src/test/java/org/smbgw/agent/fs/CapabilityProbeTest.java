package org.smbgw.agent.fs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** getfattr's answers, as captured from ext4 and zfs-fuse here, read into ACL support. */
class CapabilityProbeTest {
  private static final Path EXT4 = Path.of("/srv/ext4");
  private static final Path NOACL = Path.of("/srv/noacl");
  private static final Path GONE = Path.of("/srv/gone");

  @Test
  void onlyOperationNotSupportedOrAFailureMeansNoAcls() {
    String stderr = "/srv/ext4: system.posix_acl_access: No such attribute\n"
        + "/srv/noacl: system.posix_acl_access: Operation not supported\n"
        + "getfattr: /srv/gone: No such file or directory\n";
    assertEquals(Set.of(EXT4), CapabilityProbe.supported(List.of(EXT4, NOACL, GONE), stderr));
  }

  @Test
  void aRootWithAnAclSetSaysNothingOnStderr() {
    assertEquals(Set.of(EXT4), CapabilityProbe.supported(List.of(EXT4), ""));
  }
}
