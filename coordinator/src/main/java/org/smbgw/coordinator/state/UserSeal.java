package org.smbgw.coordinator.state;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.smbgw.common.NtHash;
import org.smbgw.coordinator.zk.ClusterKey;
import org.smbgw.proto.v1.StoredUser;
import org.smbgw.proto.v1.UserSpec;

/**
 * Users as ZooKeeper keeps them: each NT hash (a password equivalent) sealed with AES-256-GCM under
 * a key derived from the cluster key, the user's name authenticated with it. ZooKeeper's data,
 * snapshots and transaction logs then hold no hash a reader could use; coordinators open them
 * into the view, in memory, to hand each node the accounts it needs over its authenticated stream.
 *
 * <p>A record from before hashes were sealed (a {@link UserSpec} with its hash in clear) is still
 * read; {@link StateStore#ensureLayout} seals those at start.
 */
public final class UserSeal {
  private static final int NONCE = 12;
  private static final int TAG_BITS = 128;

  private final SecretKey key;
  private final SecureRandom random = new SecureRandom();

  public UserSeal(ClusterKey clusterKey) {
    this.key = new SecretKeySpec(clusterKey.derive("nt-hash/aes-256-gcm"), "AES");
  }

  /** What a user's znode holds: its name, its RID and its sealed hash, as JSON. */
  public byte[] bytes(UserSpec user) {
    try {
      byte[] nonce = new byte[NONCE];
      random.nextBytes(nonce);
      Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, user.getName());
      byte[] sealed = c.doFinal(NtHash.canonical(user.getNtHash()).getBytes(StandardCharsets.US_ASCII));
      byte[] all = ByteBuffer.allocate(NONCE + sealed.length).put(nonce).put(sealed).array();
      return Json.bytes(StoredUser.newBuilder().setName(user.getName()).setRid(user.getRid())
          .setSealedNtHash(Base64.getEncoder().encodeToString(all)).build());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot seal the NT hash of user " + user.getName(), e);
    }
  }

  /**
   * The user a znode holds, its hash opened.
   *
   * @throws IllegalStateException when the hash does not open with this key (another cluster's
   *     key, a damaged record, or one sealed for another user)
   */
  public UserSpec open(byte[] data) {
    StoredUser stored = Json.parse(data, StoredUser.getDefaultInstance());
    if (!sealed(stored)) {
      return Json.parse(data, UserSpec.getDefaultInstance()); // written before hashes were sealed
    }
    try {
      byte[] all = Base64.getDecoder().decode(stored.getSealedNtHash());
      if (all.length <= NONCE) {
        throw new GeneralSecurityException("too short");
      }
      Cipher c = cipher(Cipher.DECRYPT_MODE, java.util.Arrays.copyOf(all, NONCE), stored.getName());
      String hash = new String(c.doFinal(all, NONCE, all.length - NONCE), StandardCharsets.US_ASCII);
      return UserSpec.newBuilder().setName(stored.getName()).setNtHash(hash).setRid(stored.getRid()).build();
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalStateException("the NT hash of user " + stored.getName() + " does not open with this cluster "
          + "key (" + e.getMessage() + ")");
    }
  }

  /** Whether a znode's data has its hash sealed (false for a record from before). */
  public static boolean sealed(byte[] data) {
    return sealed(Json.parse(data, StoredUser.getDefaultInstance()));
  }

  private static boolean sealed(StoredUser stored) {
    return !stored.getSealedNtHash().isEmpty();
  }

  private Cipher cipher(int mode, byte[] nonce, String name) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    c.updateAAD(("smbgw user " + name).getBytes(StandardCharsets.UTF_8));
    return c;
  }
}
