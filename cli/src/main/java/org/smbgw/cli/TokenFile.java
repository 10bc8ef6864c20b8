package org.smbgw.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import org.smbgw.common.auth.Tokens;

/**
 * The administrator's token the CLI shows the coordinators: from {@code --token-file}, else
 * {@code $SMBGW_TOKEN_FILE}, else {@code ~/.config/smbgw/token}. Like ssh with a private key, it
 * refuses a file that anyone but its owner may read or write.
 */
final class TokenFile {
  private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ,
      PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
      PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

  private TokenFile() {}

  /** Where the token is looked for when neither the option nor the variable names a file. */
  static Path defaultPath() {
    return Path.of(System.getProperty("user.home"), ".config", "smbgw", "token");
  }

  /**
   * The token, or empty when no file was named and the default one does not exist (the
   * coordinator then says that the call needs one).
   *
   * @param named the file {@code --token-file} or {@code $SMBGW_TOKEN_FILE} named, or null
   * @throws Smbgw.UsageError when a named file does not exist, or a file is unsafe or not a token
   */
  static Optional<String> read(Path named) {
    if (named != null && named.toString().isEmpty()) {
      named = null; // SMBGW_TOKEN_FILE set but empty: as if unset
    }
    Path file = named != null ? named : defaultPath();
    if (!Files.exists(file)) {
      if (named != null) {
        throw new Smbgw.UsageError("token file " + file + " does not exist (--token-file or $SMBGW_TOKEN_FILE)");
      }
      return Optional.empty();
    }
    try {
      if (!Files.isRegularFile(file)) {
        throw new Smbgw.UsageError("token file " + file + " is not a file");
      }
      if (!file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        throw new Smbgw.UsageError("token file " + file + " is on a file system without POSIX permissions: smbgw "
            + "cannot tell who else may read it");
      }
      Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
      Set<PosixFilePermission> open = EnumSet.copyOf(OTHERS);
      open.retainAll(mode);
      if (!open.isEmpty()) {
        throw new Smbgw.UsageError("token file " + file + " may be read or written by others (mode "
            + PosixFilePermissions.toString(mode) + "): chmod 600 " + file);
      }
      String owner = Files.getOwner(file).getName();
      String me = System.getProperty("user.name");
      if (!owner.equals(me)) {
        throw new Smbgw.UsageError("token file " + file + " belongs to " + owner + ", not to " + me);
      }
      String token = Files.readString(file, StandardCharsets.US_ASCII).strip();
      if (Tokens.nameOf(token).isEmpty()) {
        throw new Smbgw.UsageError("token file " + file + " does not hold a token (NAME.SECRET, as smbgw token create "
            + "or smbgw-coordinator create-token wrote it)");
      }
      return Optional.of(token);
    } catch (IOException e) {
      throw new Smbgw.UsageError("cannot read token file " + file + ": " + e.getMessage());
    }
  }
}
