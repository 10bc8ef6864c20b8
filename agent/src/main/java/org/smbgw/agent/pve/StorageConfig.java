package org.smbgw.agent.pve;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Parses Proxmox's storage.cfg: sections {@code TYPE: ID} followed by indented {@code key value}
 * lines. Unknown types and keys are kept out of the way, not rejected: the file is Proxmox's.
 */
public final class StorageConfig {
  private StorageConfig() {}

  /** Storages by ID; empty when the file does not exist (a node without Proxmox). */
  public static Map<String, PveStorage> read(Path file) throws IOException {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (NoSuchFileException e) {
      return Map.of();
    }
  }

  public static Map<String, PveStorage> parse(String text) {
    Map<String, PveStorage> out = new LinkedHashMap<>();
    String type = null;
    String id = null;
    Map<String, String> props = new LinkedHashMap<>();
    for (String raw : (text + "\n\n").split("\n", -1)) {
      String line = raw.stripTrailing();
      if (line.startsWith("#")) {
        continue;
      }
      boolean header = !line.isEmpty() && !Character.isWhitespace(line.charAt(0)) && line.contains(":");
      if (header || line.isEmpty()) {
        if (type != null) {
          out.put(id, build(type, id, props));
        }
        type = null;
        props.clear();
        if (header) {
          int colon = line.indexOf(':');
          type = line.substring(0, colon).strip();
          id = line.substring(colon + 1).strip();
        }
        continue;
      }
      if (type != null) {
        String[] kv = line.strip().split("\\s+", 2);
        props.put(kv[0], kv.length > 1 ? kv[1] : "1");
      }
    }
    return out;
  }

  private static PveStorage build(String type, String id, Map<String, String> p) {
    Set<String> nodes = new TreeSet<>();
    if (p.containsKey("nodes")) {
      Arrays.stream(p.get("nodes").split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(nodes::add);
    }
    return new PveStorage(id, type, p.getOrDefault("pool", ""),
        p.getOrDefault("path", type.equals("cephfs") || type.equals("nfs") || type.equals("cifs") ? "/mnt/pve/" + id : ""),
        "1".equals(p.get("shared")), "1".equals(p.get("disable")), nodes);
  }
}
