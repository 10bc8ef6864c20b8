package org.smbgw.agent.samba;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ACL entries smbgw put on each share's root, kept in the agent's state directory, so that a
 * change of the share's lists takes away exactly those and never an entry an administrator set
 * (from Explorer or smbcacls), even one for the same user. Kept beside the agent, not on the
 * root: writers of the share could change an attribute there. Reconcile thread only.
 */
public final class AclSeeds {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Path file;

  public AclSeeds(Path file) {
    this.file = file;
  }

  /** Share name to the entries smbgw made on its root. */
  public Map<String, List<NtAcl.Ace>> read() throws IOException {
    try {
      return JSON.readValue(file.toFile(), new TypeReference<TreeMap<String, List<NtAcl.Ace>>>() {});
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return new TreeMap<>();
    }
  }

  /** Remembers {@code aces} for {@code share} (null forgets it). */
  public void put(String share, List<NtAcl.Ace> aces) throws IOException {
    Map<String, List<NtAcl.Ace>> all = new TreeMap<>(read());
    if (aces == null) {
      all.remove(share);
    } else {
      all.put(share, aces);
    }
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), all);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}
