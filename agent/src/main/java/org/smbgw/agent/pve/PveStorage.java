package org.smbgw.agent.pve;

import java.util.Set;

/**
 * One storage of storage.cfg that can hold shares.
 *
 * @param nodes the nodes it is restricted to; empty for all
 */
public record PveStorage(String id, String type, String pool, String path, boolean shared, boolean disabled,
    Set<String> nodes) {
  /** Types smbgw can put shares on. */
  public static final Set<String> USABLE = Set.of("zfspool", "dir", "cephfs", "nfs", "cifs");

  public boolean zfs() {
    return type.equals("zfspool");
  }

  public boolean availableOn(String node) {
    return !disabled && USABLE.contains(type) && (nodes.isEmpty() || nodes.contains(node))
        && (zfs() ? !pool.isEmpty() : !path.isEmpty());
  }

  /** Network filesystems are reachable from every node; a dir storage only when marked shared. */
  public boolean reachableFromOtherNodes() {
    return switch (type) {
      case "cephfs", "nfs", "cifs" -> true;
      case "dir" -> shared;
      default -> false;
    };
  }
}
