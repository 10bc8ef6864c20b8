package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

class RemovalBrakeTest {
  private static NodeDesiredState.Builder state(String cluster, long generation, String... items) {
    NodeDesiredState.Builder b = NodeDesiredState.newBuilder().setNode("n1").setCluster(cluster).setGeneration(generation);
    for (String i : items) {
      if (i.startsWith("share/")) {
        b.addShares(ShareSpec.newBuilder().setName(i.substring(6)).setComment("spec of " + i));
      } else {
        b.addUsers(UserSpec.newBuilder().setName(i.substring(5)));
      }
    }
    return b;
  }

  private static List<String> served(NodeDesiredState d) {
    List<String> out = new java.util.ArrayList<>();
    d.getSharesList().forEach(s -> out.add("share/" + s.getName()));
    d.getUsersList().forEach(u -> out.add("user/" + u.getName()));
    return out;
  }

  @Test
  void theFirstStateIsTakenAsItIs() {
    RemovalBrake.Verdict v = RemovalBrake.decide(null, state("c1", 3, "share/a", "user/alice").build());
    assertEquals(List.of("share/a", "user/alice"), served(v.state()));
    assertTrue(v.refused().isEmpty());
  }

  @Test
  void whatIsMissingWithoutAnIntentIsKeptWithItsLastSpecAndReported() {
    NodeDesiredState accepted = state("c1", 3, "share/a", "share/b", "user/alice", "user/bob").build();
    RemovalBrake.Verdict v = RemovalBrake.decide(accepted, state("c1", 4, "share/a", "user/alice").build());
    assertEquals(List.of("share/a", "share/b", "user/alice", "user/bob"), served(v.state()));
    assertEquals(List.of("share/b", "user/bob"), v.state().getKeptList());
    assertEquals("spec of share/b", v.state().getShares(1).getComment());
    assertEquals(4, v.state().getGeneration());
  }

  @Test
  void removalsThatCarryAnIntentGoWithoutABrake() {
    NodeDesiredState accepted = state("c1", 3, "share/a", "share/moved", "share/purged", "user/alice", "user/bob").build();
    NodeDesiredState incoming = state("c1", 4, "share/a", "user/alice").addRemovals("share/MOVED").addRemovals("user/bob")
        .addPurgeShares("purged").build();
    RemovalBrake.Verdict v = RemovalBrake.decide(accepted, incoming);
    assertEquals(List.of("share/a", "user/alice"), served(v.state()));
    assertEquals(List.of(), v.state().getKeptList());
  }

  @Test
  void aKeptLossStaysKeptAcrossLaterStatesUntilItsRemovalIsConfirmed() {
    NodeDesiredState accepted = state("c1", 3, "share/a", "share/b").build();
    NodeDesiredState kept = RemovalBrake.decide(accepted, state("c1", 4, "share/a").build()).state();
    NodeDesiredState later = RemovalBrake.decide(kept, state("c1", 5, "share/a", "share/c").build()).state();
    assertEquals(List.of("share/a", "share/c", "share/b"), served(later));
    NodeDesiredState confirmed = RemovalBrake.decide(later, state("c1", 6, "share/a", "share/c").addRemovals("share/b")
        .build()).state();
    assertEquals(List.of("share/a", "share/c"), served(confirmed));
    assertEquals(List.of(), confirmed.getKeptList());
  }

  @Test
  void aStateOfAnotherClusterIsRefusedUntilAdoptionIsConfirmed() {
    NodeDesiredState accepted = state("c1", 40, "share/a", "user/alice").build();
    RemovalBrake.Verdict refused = RemovalBrake.decide(accepted, state("c2", 1).build());
    assertEquals(List.of("share/a", "user/alice"), served(refused.state()));
    assertEquals("c1", refused.state().getCluster());
    assertEquals(List.of("share/a", "user/alice"), refused.state().getKeptList(), "what would be lost, reported");
    assertTrue(refused.refused().orElseThrow().contains("c2") && refused.refused().get().contains("confirm-removal n1"));

    // What the coordinator sends once adoption is confirmed: adopt, and no removals with it.
    RemovalBrake.Verdict adopted = RemovalBrake.decide(refused.state(), state("c2", 2, "share/a").setAdopt(true).build());
    assertEquals("c2", adopted.state().getCluster());
    assertEquals(List.of("share/a", "user/alice"), served(adopted.state()), "adopting a cluster removes nothing by itself");
    assertEquals(List.of("user/alice"), adopted.state().getKeptList(), "what the new cluster lacks is kept, reported");
    assertTrue(adopted.refused().isEmpty());
  }

  @Test
  void anOlderGenerationOfTheSameClusterIsIgnored() {
    NodeDesiredState accepted = state("c1", 9, "share/a", "share/b").build();
    RemovalBrake.Verdict v = RemovalBrake.decide(accepted, state("c1", 8, "share/a").build());
    assertEquals(accepted, v.state());
    assertTrue(v.refused().orElseThrow().contains("generation 9 was accepted already"), v.refused().toString());
  }

  @Test
  void aStateWithoutAClusterDoesNotReplaceOneWithACluster() {
    NodeDesiredState accepted = state("c1", 9, "share/a").build();
    assertTrue(RemovalBrake.decide(accepted, state("", 10).build()).refused().isPresent());
  }

  @Test
  void aNewShareInsideTheDirectoryOfOneKeptServingIsLeftOutWithTheReason() {
    NodeDesiredState accepted = state("c1", 3).addShares(ShareSpec.newBuilder().setName("Docs")
        .setStorage(org.smbgw.proto.v1.Storage.newBuilder().setDirectory(org.smbgw.proto.v1.DirectoryStorage.newBuilder()
            .setPath("/srv/docs")))).build();
    NodeDesiredState incoming = state("c1", 4).addShares(ShareSpec.newBuilder().setName("other")
        .setStorage(org.smbgw.proto.v1.Storage.newBuilder().setDirectory(org.smbgw.proto.v1.DirectoryStorage.newBuilder()
            .setPath("/srv/other")))).addShares(ShareSpec.newBuilder().setName("inside")
        .setStorage(org.smbgw.proto.v1.Storage.newBuilder().setDirectory(org.smbgw.proto.v1.DirectoryStorage.newBuilder()
            .setPath("/srv/docs/inside")))).build();
    NodeDesiredState v = RemovalBrake.decide(accepted, incoming).state();
    assertEquals(List.of("share/other", "share/Docs"), served(v), "Docs is kept; the share inside its directory is not");
    assertEquals(java.util.Set.of("share/inside"), v.getRefusedMap().keySet());
    assertTrue(v.getRefusedMap().get("share/inside").contains("Docs"), v.getRefusedMap().toString());
  }
}
