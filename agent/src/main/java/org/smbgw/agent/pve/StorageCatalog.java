package org.smbgw.agent.pve;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Proxmox's storage.cfg, followed while the agent runs: every look reads the file again (a few
 * hundred bytes; on pmxcfs a read from memory) and parses it only when its bytes changed, so a
 * storage added or removed reaches the next inventory and the next desired state resolved without
 * a restart. The content is compared, not the mtime: pmxcfs keeps whole seconds, and two edits
 * within one second of the same size would look unchanged. A missing file is no storages (a node
 * without Proxmox). Thread-safe: the inventory thread and the session's thread both look.
 */
public final class StorageCatalog {
  private final Path file;
  /** The text {@link #storages} was parsed from, null before the first look; guarded by this. */
  private String text;
  private Map<String, PveStorage> storages = Map.of();

  public StorageCatalog(Path file) {
    this.file = file;
  }

  /** The storages the file lists now. @throws UncheckedIOException when it cannot be read */
  public synchronized Map<String, PveStorage> current() {
    String now = read();
    if (!now.equals(text)) {
      storages = StorageConfig.parse(now);
      text = now;
    }
    return storages;
  }

  /** Whether the file differs from what {@link #current} last returned (true before the first look). */
  public synchronized boolean changed() {
    return !read().equals(text);
  }

  private String read() {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }
}
