package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;

/** The accepted state on disk: kept across restarts, and a damaged one never taken for none. */
class BrakedSourceTest {
  @TempDir
  Path dir;

  private static NodeDesiredState state(long generation, String... shares) {
    NodeDesiredState.Builder b = NodeDesiredState.newBuilder().setNode("n1").setCluster("c1").setGeneration(generation);
    for (String s : shares) {
      b.addShares(ShareSpec.newBuilder().setName(s));
    }
    return b.build();
  }

  private static DesiredStateSource coordinator(NodeDesiredState d) {
    return () -> Optional.ofNullable(d);
  }

  private BrakedSource source(NodeDesiredState fromCoordinator) {
    return new BrakedSource(coordinator(fromCoordinator), raw -> raw, dir.resolve("accepted-state.pb"));
  }

  @Test
  void whatWasAcceptedIsKeptAcrossARestart() {
    source(state(3, "a", "b")).current();
    NodeDesiredState after = source(state(4, "a")).current().orElseThrow();
    assertEquals(2, after.getSharesCount(), "b is kept: its absence carries no intent");
    assertEquals(java.util.List.of("share/b"), after.getKeptList());
    assertEquals(2, source(null).current().orElseThrow().getSharesCount(), "before the coordinator answers");
  }

  @Test
  void theFileKeepsUsersButNotTheirHashes() throws Exception {
    String hash = "8846F7EAEE8FB117AD06BDD830B7586C";
    NodeDesiredState withUser = state(3, "a").toBuilder()
        .addUsers(org.smbgw.proto.v1.UserSpec.newBuilder().setName("alice").setNtHash(hash)).build();
    assertEquals(hash, source(withUser).current().orElseThrow().getUsers(0).getNtHash(), "in memory, the hash");
    String file = new String(Files.readAllBytes(dir.resolve("accepted-state.pb")), java.nio.charset.StandardCharsets.ISO_8859_1);
    assertTrue(file.contains("alice") && !file.toUpperCase(java.util.Locale.ROOT).contains(hash), file);
    NodeDesiredState readBack = source(null).current().orElseThrow();
    assertEquals("alice", readBack.getUsers(0).getName());
    assertEquals("", readBack.getUsers(0).getNtHash());

    // Files an older agent wrote with hashes lose them as soon as they are read.
    Files.write(dir.resolve("accepted-state.pb"), withUser.toByteArray());
    Files.write(dir.resolve("accepted-state.pb.prev"), withUser.toByteArray());
    assertEquals("alice", source(null).current().orElseThrow().getUsers(0).getName());
    for (String f : new String[] {"accepted-state.pb", "accepted-state.pb.prev"}) {
      String kept = new String(Files.readAllBytes(dir.resolve(f)), java.nio.charset.StandardCharsets.ISO_8859_1);
      assertTrue(kept.contains("alice") && !kept.toUpperCase(java.util.Locale.ROOT).contains(hash), f);
    }
  }

  /** Addresses follow the states the brake takes: a lagging replica's older one took the address away. */
  @Test
  void anOlderStateFromALaggingReplicaMovesNoAddress() {
    NodeDesiredState withAddress = state(5, "a").toBuilder()
        .addAddresses(org.smbgw.proto.v1.AddressAssignment.newBuilder().setAddress("10.0.0.50/24")).build();
    NodeDesiredState[] fromCoordinator = {withAddress};
    BrakedSource braked = new BrakedSource(() -> Optional.of(fromCoordinator[0]), raw -> raw,
        dir.resolve("accepted-state.pb"));
    braked.current();
    assertEquals(withAddress, braked.admitted().orElseThrow());
    fromCoordinator[0] = state(4, "a"); // no address: an older view
    braked.current();
    assertEquals(withAddress, braked.admitted().orElseThrow(), "the newer state's address stays wanted");
    assertTrue(braked.problem().orElseThrow().contains("ignoring desired state generation 4"), braked.problem().toString());
    fromCoordinator[0] = state(6, "a");
    braked.current();
    assertEquals(0, braked.admitted().orElseThrow().getAddressesCount(), "a newer state without it moves it");
  }

  @Test
  void aDamagedFileIsNeverTakenForNothingAccepted() throws Exception {
    source(state(3, "a", "b")).current();
    source(state(4, "a", "b")).current(); // the file of generation 3 is now the previous copy
    Files.write(dir.resolve("accepted-state.pb"), new byte[0]); // a crash right after a rename, unsynced
    NodeDesiredState fromPrevious = source(state(5, "a")).current().orElseThrow();
    assertEquals(2, fromPrevious.getSharesCount(), "the previous copy holds");

    Files.write(dir.resolve("accepted-state.pb"), new byte[] {(byte) 0xff, 0x01, 0x02});
    Files.write(dir.resolve("accepted-state.pb.prev"), new byte[] {(byte) 0xff});
    BrakedSource damaged = source(state(6, "a"));
    assertTrue(damaged.current().isEmpty(), "nothing is applied");
    assertTrue(damaged.problem().orElseThrow().contains("damaged"), damaged.problem().toString());
  }

  @Test
  void aStateThatCannotBeCheckedKeepsThePreviousOne() {
    BrakedSource s = new BrakedSource(coordinator(state(3, "a")), raw -> {
      throw new IllegalStateException("storage.cfg: Transport endpoint is not connected");
    }, dir.resolve("accepted-state.pb"));
    assertTrue(s.current().isEmpty());
    assertTrue(s.problem().orElseThrow().contains("Transport endpoint"), s.problem().toString());
  }
}
