package org.smbgw.coordinator.zk;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.smbgw.common.InvalidSpecException;

/**
 * The coordinators' shared secret: 32 random bytes, base64 on one line, in a file only root may
 * read. Every coordinator replica holds the same one. Nothing uses it directly: each use gets a
 * key of its own derived from it (HMAC-SHA256 of a label), so that one derived secret handed out
 * (the CTDB helper's ZooKeeper password) reveals neither the key nor the others.
 *
 * <p>On Proxmox VE it lives in {@code /etc/pve/priv/smbgw/}, which is root-only and replicated to
 * every node by pmxcfs: a new replica finds it there. Elsewhere it is made once, on the first
 * coordinator, and copied to the others like a private key.
 */
public final class ClusterKey {
  /** The file's owner alone may read and write it. */
  private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");
  private static final int BYTES = 32;

  private final byte[] key;
  private final Path file;

  private ClusterKey(byte[] key, Path file) {
    this.key = key.clone();
    this.file = file;
  }

  /** A key not read from any file (tests and benchmarks). */
  public static ClusterKey of(byte[] key) {
    if (key.length != BYTES) {
      throw new IllegalArgumentException("a cluster key is " + BYTES + " bytes");
    }
    return new ClusterKey(key, null);
  }

  /** The file it was read from, for messages; null when made in code. */
  public Path file() {
    return file;
  }

  /**
   * Reads the key in {@code file}, refusing one that others may read or that is not what
   * {@link #create} writes.
   *
   * @param setting the configuration key that named the file, for messages
   * @throws InvalidSpecException naming {@code setting} and what to do
   */
  public static ClusterKey read(String setting, Path file) {
    try {
      java.nio.file.attribute.BasicFileAttributes attributes =
          Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      if (!attributes.isRegularFile()) {
        throw bad(setting, file + " is not a regular file");
      }
      // Where the file system keeps POSIX bits, nobody but the owner may have any.
      if (Files.getFileStore(file).supportsFileAttributeView("posix")
          && !OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))) {
        throw bad(setting, file + " may be read by others (mode "
            + PosixFilePermissions.toString(Files.getPosixFilePermissions(file, LinkOption.NOFOLLOW_LINKS))
            + "): it unlocks ZooKeeper and every user's NT hash; chmod 600 it");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
      } catch (IllegalArgumentException | java.nio.charset.MalformedInputException e) {
        throw bad(setting, file + " is not a cluster key (one line of base64)");
      }
      if (key.length == 0) {
        throw bad(setting, file + " is empty: a key being made was cut off before it was written, so nothing was "
            + "locked with it; remove it and make it again");
      }
      if (key.length != BYTES) {
        throw bad(setting, file + " is not a cluster key (" + key.length + " bytes instead of " + BYTES + ")");
      }
      return new ClusterKey(key, file);
    } catch (java.nio.file.NoSuchFileException e) {
      throw bad(setting, file + " does not exist: make it on one coordinator with 'smbgw-coordinator cluster-key init "
          + "--out " + file + "' and give every other coordinator the same file (on Proxmox VE, in /etc/pve/priv, "
          + "every node has it already)");
    } catch (java.nio.file.AccessDeniedException e) {
      throw bad(setting, "this process (user " + System.getProperty("user.name") + ") may not read " + file + ": give it "
          + "to the service as a credential, LoadCredential=cluster.key:" + file + " in a drop-in (systemctl edit "
          + "smbgw-coordinator), and it is read from there; see smbgw-coordinator(8)");
    } catch (IOException e) {
      throw bad(setting, "cannot read " + file + ": " + e.getMessage());
    }
  }

  /**
   * Makes a new key in {@code file} (mode 0600, its directory 0700 when made here). Never writes
   * over an existing file: a second key would lock the first one's coordinators out.
   *
   * @return the key now in the file
   * @throws FileAlreadyExistsException when the file exists
   */
  public static ClusterKey create(Path file) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    if (!Files.isDirectory(dir)) {
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }
    byte[] key = new byte[BYTES];
    new SecureRandom().nextBytes(key);
    byte[] text = (Base64.getEncoder().encodeToString(key) + "\n").getBytes(StandardCharsets.US_ASCII);
    Path tmp = dir.resolve("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".new");
    Files.deleteIfExists(tmp);
    // On disk before anything is locked or sealed with it: a key lost to a power cut would leave
    // the state unreadable.
    writeSynced(Files.createFile(tmp, PosixFilePermissions.asFileAttribute(OWNER_ONLY)), text);
    try {
      // A link is made only where no file is, whole: of two coordinators making one at once, one key wins.
      Files.createLink(file, tmp);
    } catch (FileAlreadyExistsException e) {
      throw e;
    } catch (IOException e) {
      // No hard links here (pmxcfs): created where it belongs, only where no file is (O_EXCL).
      writeSynced(Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY)), text);
    } finally {
      Files.deleteIfExists(tmp);
    }
    try (java.nio.channels.FileChannel d = java.nio.channels.FileChannel.open(dir, java.nio.file.StandardOpenOption.READ)) {
      d.force(true);
    } catch (IOException e) {
      // a file system that cannot sync a directory (pmxcfs replicates on its own)
    }
    return new ClusterKey(key, file);
  }

  private static void writeSynced(Path file, byte[] bytes) throws IOException {
    try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE)) {
      c.write(java.nio.ByteBuffer.wrap(bytes));
      c.force(true);
    }
  }

  /** The key for {@code purpose}: HMAC-SHA256 of the label "smbgw/" + purpose under the cluster key. */
  public byte[] derive(String purpose) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(("smbgw/" + purpose).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  private static InvalidSpecException bad(String setting, String why) {
    return new InvalidSpecException(setting, why);
  }

  @Override
  public String toString() {
    return "cluster key" + (file != null ? " in " + file : "");
  }
}
