package org.smbgw.coordinator.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.proto.v1.StoredUser;
import org.smbgw.proto.v1.UserSpec;

/** NT hashes sealed for ZooKeeper: opened only with the same key, for the same user, unaltered. */
class UserSealTest {
  private static final String HASH = "8846F7EAEE8FB117AD06BDD830B7586C";
  private static final UserSeal SEAL = new UserSeal(ClusterKey.of(new byte[32]));
  private static final UserSpec ALICE = UserSpec.newBuilder().setName("alice").setNtHash(HASH).build();

  @Test
  void theRecordHoldsTheNameButNotTheHashInAnyForm() {
    byte[] stored = SEAL.bytes(ALICE);
    String text = new String(stored, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("alice"), text);
    for (String form : new String[] {HASH, HASH.toLowerCase(), Base64.getEncoder().encodeToString(hex(HASH))}) {
      assertFalse(text.contains(form), text);
    }
    assertEquals(ALICE, SEAL.open(stored));
    assertTrue(UserSeal.sealed(stored));
  }

  @Test
  void sealingTheSameHashTwiceGivesTwoRecords() {
    assertNotEquals(new String(SEAL.bytes(ALICE), StandardCharsets.UTF_8), new String(SEAL.bytes(ALICE), StandardCharsets.UTF_8));
  }

  @Test
  void anotherKeyAnotherUsersNameOrAnAlteredRecordDoesNotOpen() {
    byte[] stored = SEAL.bytes(ALICE);
    byte[] key = new byte[32];
    key[31] = 7;
    IllegalStateException other = assertThrows(IllegalStateException.class, () -> new UserSeal(ClusterKey.of(key)).open(stored));
    assertTrue(other.getMessage().contains("user alice") && other.getMessage().contains("does not open"), other.getMessage());

    StoredUser moved = Json.parse(stored, StoredUser.getDefaultInstance()).toBuilder().setName("mallory").build();
    assertThrows(IllegalStateException.class, () -> SEAL.open(Json.bytes(moved)));

    byte[] sealed = Base64.getDecoder().decode(Json.parse(stored, StoredUser.getDefaultInstance()).getSealedNtHash());
    sealed[sealed.length - 1] ^= 1;
    StoredUser altered = StoredUser.newBuilder().setName("alice").setSealedNtHash(Base64.getEncoder().encodeToString(sealed)).build();
    assertThrows(IllegalStateException.class, () -> SEAL.open(Json.bytes(altered)));
    StoredUser garbage = StoredUser.newBuilder().setName("alice").setSealedNtHash("%%%").build();
    assertThrows(IllegalStateException.class, () -> SEAL.open(Json.bytes(garbage)));
  }

  @Test
  void aRecordFromBeforeHashesWereSealedIsStillRead() {
    byte[] old = Json.bytes(ALICE);
    assertFalse(UserSeal.sealed(old));
    assertEquals(ALICE, SEAL.open(old));
  }

  private static byte[] hex(String s) {
    byte[] b = new byte[s.length() / 2];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) Integer.parseInt(s.substring(2 * i, 2 * i + 2), 16);
    }
    return b;
  }
}
