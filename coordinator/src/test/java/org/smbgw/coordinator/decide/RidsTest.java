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
  void theFirstUserGetsTheFirstRidAndTheCounterRecordsIt() {
    Change<?> c = UserDecisions.put(new Cluster().snap(), put("alice"));
    assertEquals(Rids.FIRST, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
    assertEquals(Rids.FIRST, Cluster.<RidCounter>written(c, "/smbgw/v1/rids").getLast());
  }

  @Test
  void aRidOfADeletedUserIsNeverGivenAgain() {
    // bob (the fourth RID) is left; users up to the eleventh were added and deleted: the counter remembers them.
    Change<?> c = UserDecisions.put(new Cluster().user("bob", Rids.FIRST + 3).lastRid(Rids.FIRST + 10).snap(), put("alice"));
    assertEquals(Rids.FIRST + 11, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
  }

  @Test
  void aCounterBehindItsUsersIsNotTrusted() {
    // A counter restored from an older backup than the users: the next RID is past every user's.
    Change<?> c = UserDecisions.put(new Cluster().user("bob", Rids.FIRST + 20).lastRid(Rids.FIRST + 1).snap(), put("alice"));
    assertEquals(Rids.FIRST + 21, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
  }

  @Test
  void aPasswordChangeKeepsTheRidAndAUserFromBeforeRidsGetsOne() {
    Change<?> kept = UserDecisions.put(new Cluster().user("alice", Rids.FIRST + 2).lastRid(Rids.FIRST + 5).snap(), put("alice"));
    assertEquals(Rids.FIRST + 2, Cluster.<UserSpec>written(kept, "/smbgw/v1/users/alice").getRid());
    assertEquals(List.of("update /smbgw/v1/users/alice@3"), writes(kept), "no RID given, the counter untouched");
    Change<?> given = UserDecisions.put(new Cluster().user("alice").lastRid(Rids.FIRST + 5).snap(), put("alice"));
    assertEquals(Rids.FIRST + 6, Cluster.<UserSpec>written(given, "/smbgw/v1/users/alice").getRid());
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
    Cluster cluster = new Cluster().user("carol", Rids.FIRST).lastRid(Rids.FIRST);
    Change<?> c = ApplyDecision.apply(cluster.snap(), AT, List.of(), ApplyRequest.newBuilder()
        .addUsers(UserSpec.newBuilder().setName("alice").setNtHash(HASH))
        .addUsers(UserSpec.newBuilder().setName("bob").setNtHash(HASH))
        .addUsers(UserSpec.newBuilder().setName("carol").setNtHash(HASH)).build());
    assertEquals(Rids.FIRST + 1, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
    assertEquals(Rids.FIRST + 2, Cluster.<UserSpec>written(c, "/smbgw/v1/users/bob").getRid());
    assertEquals(1, writes(c).stream().filter(w -> w.startsWith("update /smbgw/v1/rids")).count());
    assertEquals(Rids.FIRST, Cluster.<UserSpec>written(c, "/smbgw/v1/users/carol").getRid(), "a new password, the same RID");
  }

  @Test
  void noRidIsGivenWithoutTheCounterLoaded() {
    Cluster unloaded = new Cluster().lastRidUnloaded();
    assertEquals(io.grpc.Status.Code.UNAVAILABLE, assertThrows(io.grpc.StatusRuntimeException.class,
        () -> UserDecisions.put(unloaded.snap(), put("alice"))).getStatus().getCode());
    assertTrue(Housekeeping.decide(unloaded.user("bob").snap(), List.of()).writesNothing(), "housekeeping goes on");
  }

  @Test
  void housekeepingGivesUsersFromBeforeRidsTheirsButNotAWithheldOne() {
    Cluster cluster = new Cluster().user("bob").user("alice").user("carol", Rids.FIRST + 4).lastRid(Rids.FIRST + 4).withheldUser("dave");
    Change<?> c = Housekeeping.decide(cluster.snap(), List.of());
    assertEquals(Rids.FIRST + 5, Cluster.<UserSpec>written(c, "/smbgw/v1/users/alice").getRid());
    assertEquals(Rids.FIRST + 6, Cluster.<UserSpec>written(c, "/smbgw/v1/users/bob").getRid());
    assertEquals("A".repeat(32), Cluster.<UserSpec>written(c, "/smbgw/v1/users/bob").getNtHash().toUpperCase());
    assertTrue(writes(c).stream().noneMatch(w -> w.contains("dave")), writes(c).toString());
    assertTrue(Housekeeping.decide(new Cluster().user("carol", Rids.FIRST + 4).snap(), List.of()).writesNothing());
  }
}
