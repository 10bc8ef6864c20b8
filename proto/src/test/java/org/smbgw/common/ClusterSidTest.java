package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterSidTest {
  @Test
  void everyNodeOfOneClusterComputesTheSameSidAndAnotherClusterAnother() {
    String a = ClusterSid.of("3f2b7c1e-0000-4000-8000-000000000001");
    assertEquals(a, ClusterSid.of("3f2b7c1e-0000-4000-8000-000000000001"));
    assertNotEquals(a, ClusterSid.of("3f2b7c1e-0000-4000-8000-000000000002"));
    assertTrue(a.matches("S-1-5-21-\\d{1,10}-\\d{1,10}-\\d{1,10}"), a);
  }

  @Test
  void aUsersSidIsTheClustersFollowedByItsRid() {
    assertEquals(ClusterSid.of("c") + "-1000", ClusterSid.account(ClusterSid.of("c"), 1000));
    assertEquals(ClusterSid.of("c") + "-4294967295", ClusterSid.account(ClusterSid.of("c"), -1));
  }

  @Test
  void noSidWithoutAnIdentity() {
    assertThrows(IllegalArgumentException.class, () -> ClusterSid.of(""));
  }
}
