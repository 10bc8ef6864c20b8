package org.smbgw.coordinator.decide;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.smbgw.coordinator.decide.Cluster.AT;
import static org.smbgw.coordinator.decide.Cluster.writes;
import static org.smbgw.coordinator.decide.Cluster.written;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.RidCounter;
import org.smbgw.proto.v1.UserSpec;

/** Users' RIDs: given once, in order, never twice, kept across password changes. */
class RidsTest {
  private static final String HASH = "ab".repeat(16);

  private static PutUserRequest put(String name) {
    return PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName(name).setNtHash(HASH)).build();
  }

  @Test
  void theFirstUserGetsRid1000AndTheCounterRecordsIt() {
    Change<?> c = UserDecisions.put(new Cluster().snap(), put("alice"));
    assertEquals(1000, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
    assertEquals(1000, Cluster.<RidCounter>written(c, "/smbgw/v1/rids").getLast());
  }

  @Test
  void aRidOfADeletedUserIsNeverGivenAgain() {
    // bob (1003) is left; users up to 1010 were added and deleted: the counter remembers them.
    Change<?> c = UserDecisions.put(new Cluster().user("bob", 1003).lastRid(1010).snap(), put("alice"));
    assertEquals(1011, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
  }

  @Test
  void aCounterBehindItsUsersIsNotTrusted() {
    // A counter restored from an older backup than the users: the next RID is past every user's.
    Change<?> c = UserDecisions.put(new Cluster().user("bob", 1020).lastRid(1001).snap(), put("alice"));
    assertEquals(1021, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
  }

  @Test
  void aPasswordChangeKeepsTheRidAndAUserFromBeforeRidsGetsOne() {
    Change<?> kept = UserDecisions.put(new Cluster().user("alice", 1002).lastRid(1005).snap(), put("alice"));
    assertEquals(1002, Cluster.<UserSpec>written(kept, "/smbgw/v1/users/alice").getRid());
    assertEquals(List.of("update /smbgw/v1/users/alice@3"), writes(kept), "no RID given, the counter untouched");
    Change<?> given = UserDecisions.put(new Cluster().user("alice").lastRid(1005).snap(), put("alice"));
    assertEquals(1006, Cluster.<UserSpec>written(given, "/smbgw/v1/users/alice").getRid());
  }

  @Test
  void aRidIsNotTheClientsToChoose() {
    InvalidSpecException put = assertThrows(InvalidSpecException.class, () -> UserDecisions.put(new Cluster().snap(),
        PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("alice").setNtHash(HASH).setRid(500)).build()));
    assertTrue(put.getMessage().contains("spec.rid: is given by the coordinators"), put.getMessage());
    InvalidSpecException apply = assertThrows(InvalidSpecException.class, () -> ApplyDecision.apply(new Cluster().snap(),
        AT, List.of(), ApplyRequest.newBuilder().addUsers(UserSpec.newBuilder().setName("alice").setNtHash(HASH).setRid(500))
            .build()));
    assertTrue(apply.getMessage().contains("User/alice: spec.rid"), apply.getMessage());
  }

  @Test
  void oneApplyGivesItsNewUsersRidsInOrderWithOneCounterWrite() {
    Cluster cluster = new Cluster().user("carol", 1000).lastRid(1000);
    Change<?> c = ApplyDecision.apply(cluster.snap(), AT, List.of(), ApplyRequest.newBuilder()
        .addUsers(UserSpec.newBuilder().setName("alice").setNtHash(HASH))
        .addUsers(UserSpec.newBuilder().setName("bob").setNtHash(HASH))
        .addUsers(UserSpec.newBuilder().setName("carol").setNtHash(HASH)).build());
    assertEquals(1001, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
    assertEquals(1002, Cluster.<UserSpec>written(c, "/smbgw/v1/users/bob").getRid());
    assertEquals(1, writes(c).stream().filter(w -> w.startsWith("update /smbgw/v1/rids")).count());
    assertEquals(1000, Cluster.<UserSpec>written(c, "/smbgw/v1/users/carol").getRid(), "a new password, the same RID");
  }

  @Test
  void housekeepingGivesUsersFromBeforeRidsTheirsButNotAWithheldOne() {
    Cluster cluster = new Cluster().user("bob").user("alice").user("carol", 1004).lastRid(1004).withheldUser("dave");
    Change<?> c = Housekeeping.decide(cluster.snap(), List.of());
    assertEquals(1005, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
    assertEquals(1006, Cluster.<UserSpec>written(c, "/smbgw/v1/users/bob").getRid());
    assertEquals("A".repeat(32), Cluster.<UserSpec>written(c, "/smbgw/v1/users/bob").getNtHash().toUpperCase());
    assertTrue(writes(c).stream().noneMatch(w -> w.contains("dave")), writes(c).toString());
    assertTrue(Housekeeping.decide(new Cluster().user("carol", 1004).snap(), List.of()).writesNothing());
  }
}
