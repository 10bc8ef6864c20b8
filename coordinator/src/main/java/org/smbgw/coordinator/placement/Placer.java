package org.smbgw.coordinator.placement;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.StorageOffer;

/**
 * Places shares on nodes. Pure: no I/O, no clock, the same inputs give the same answer.
 *
 * <ul>
 *   <li>A share goes only to a node that offers its storage, never to one in maintenance, and only
 *       where the storage's free bytes cover its quota (counting shares placed in the same run).
 *   <li>Shares bound to the same floating address are placed together.
 *   <li>A placed share stays where it is unless its node went into maintenance or lost its
 *       storage; and it moves only if its storage is reachable from the target (shared storage).
 *       Node-local ZFS never moves: the data would stay behind.
 *   <li>Among candidates, the node with the fewest shares wins; ties go by name.
 * </ul>
 */
public final class Placer {
  /** Where each share goes, and why the others cannot go anywhere (share name to reason). */
  public record Result(Map<String, String> placed, Map<String, String> unplaceable) {}

  public Result place(List<ShareSpec> shares, Map<String, String> current, List<Candidate> nodes) {
    Map<String, Candidate> byName = new TreeMap<>();
    nodes.forEach(n -> byName.put(n.name(), n));
    Map<String, Integer> load = new HashMap<>();
    Reserved reserved = new Reserved();
    Map<String, String> placed = new TreeMap<>();
    Map<String, String> unplaceable = new TreeMap<>();

    Map<String, List<ShareSpec>> groups = new LinkedHashMap<>();
    List<ShareSpec> sorted = new ArrayList<>(shares);
    sorted.sort(Comparator.comparing(ShareSpec::getName));
    for (ShareSpec s : sorted) {
      groups.computeIfAbsent(s.getAddress().isEmpty() ? "share:" + s.getName() : "address:" + s.getAddress(),
          k -> new ArrayList<>()).add(s);
    }

    // First keep what may stay, so that load counts them before anything new is placed.
    List<List<ShareSpec>> toPlace = new ArrayList<>();
    for (List<ShareSpec> group : groups.values()) {
      Optional<String> stay = stayingNode(group, current, byName);
      if (stay.isPresent()) {
        for (ShareSpec s : group) {
          placed.put(s.getName(), stay.get());
          load.merge(stay.get(), 1, Integer::sum);
        }
      } else {
        toPlace.add(group);
      }
    }

    for (List<ShareSpec> group : toPlace) {
      Optional<String> from = group.stream().map(s -> current.get(s.getName())).filter(n -> n != null).findFirst();
      if (from.isPresent() && group.stream().anyMatch(s -> !movable(s, byName.get(from.get())))) {
        for (ShareSpec s : group) {
          unplaceable.put(s.getName(), "it is on node-local storage of " + from.get()
              + " and cannot move without its data");
        }
        continue;
      }
      String best = null;
      List<String> reasons = new ArrayList<>();
      for (Candidate n : byName.values()) {
        String why = unfit(group, n, reserved);
        if (why != null) {
          reasons.add(n.name() + ": " + why);
        } else if (best == null || load.getOrDefault(n.name(), 0) < load.getOrDefault(best, 0)) {
          best = n.name();
        }
      }
      if (best == null) {
        String reason = nodes.isEmpty() ? "no node has joined the cluster"
            : "no node can host it (" + String.join("; ", reasons) + ")";
        group.forEach(s -> unplaceable.put(s.getName(), reason));
        continue;
      }
      Candidate chosen = byName.get(best);
      for (ShareSpec s : group) {
        placed.put(s.getName(), chosen.name());
        load.merge(chosen.name(), 1, Integer::sum);
        offer(chosen, s.getStorage()).ifPresent(o -> reserved.add(chosen.name(), o.getId(), s.getQuotaBytes()));
      }
    }
    return new Result(placed, unplaceable);
  }

  /** The node every share of the group is on now, if it may stay there. */
  private static Optional<String> stayingNode(List<ShareSpec> group, Map<String, String> current,
      Map<String, Candidate> nodes) {
    String node = current.get(group.get(0).getName());
    if (node == null || group.stream().anyMatch(s -> !node.equals(current.get(s.getName())))) {
      return Optional.empty();
    }
    Candidate n = nodes.get(node);
    if (n == null || n.maintenance()) {
      return Optional.empty();
    }
    // A disconnected node has not told us its storage; assume it still has it.
    if (n.connected() && group.stream().anyMatch(s -> offer(n, s.getStorage()).isEmpty())) {
      return Optional.empty();
    }
    return Optional.of(node);
  }

  /**
   * Bytes promised to shares placed in this run, by node and storage. Looked up once for every
   * node a share could go to (a million times for 10,000 shares on 100 nodes), so by two keys,
   * not by a key string built each time.
   */
  private static final class Reserved {
    private final Map<String, Map<String, Long>> byNode = new HashMap<>();

    long get(String node, String storage) {
      Map<String, Long> m = byNode.get(node);
      Long v = m == null ? null : m.get(storage);
      return v == null ? 0L : v;
    }

    void add(String node, String storage, long bytes) {
      byNode.computeIfAbsent(node, k -> new HashMap<>()).merge(storage, bytes, Long::sum);
    }
  }

  /** Why the group cannot go to {@code n}, or null when it can. */
  private static String unfit(List<ShareSpec> group, Candidate n, Reserved reserved) {
    if (n.maintenance()) {
      return "in maintenance";
    }
    if (!n.connected()) {
      return "not connected";
    }
    // What the group needs of each storage it uses here (most groups are one share, one storage).
    Map<StorageOffer, Long> need = new LinkedHashMap<>(2);
    for (ShareSpec s : group) {
      Optional<StorageOffer> o = offer(n, s.getStorage());
      if (o.isEmpty()) {
        return "does not offer storage " + describe(s.getStorage());
      }
      need.merge(o.get(), s.getQuotaBytes(), Long::sum);
    }
    for (Map.Entry<StorageOffer, Long> e : need.entrySet()) {
      StorageOffer o = e.getKey();
      long free = o.getFreeBytes() - reserved.get(n.name(), o.getId());
      if (e.getValue() > free) {
        return "storage " + o.getId() + " has " + free + " bytes free, the quota needs " + e.getValue();
      }
    }
    return null;
  }

  /** Whether a share's storage is reachable from other nodes than {@code node}. */
  public static boolean movable(ShareSpec s, Candidate node) {
    if (s.getStorage().hasZfs()) {
      return false;
    }
    return node != null && offer(node, s.getStorage()).map(StorageOffer::getShared).orElse(false);
  }

  static Optional<StorageOffer> offer(Candidate n, Storage storage) {
    for (StorageOffer o : n.storages()) {
      boolean match = switch (storage.getKindCase()) {
        case PVE -> o.getId().equals(storage.getPve());
        case ZFS -> !o.getZfsParent().isEmpty() && (storage.getZfs().getParent().equals(o.getZfsParent())
            || storage.getZfs().getParent().startsWith(o.getZfsParent() + "/"));
        case DIRECTORY -> !o.getPath().isEmpty() && storage.getDirectory().getPath().startsWith(o.getPath() + "/");
        case KIND_NOT_SET -> false;
      };
      if (match) {
        return Optional.of(o);
      }
    }
    return Optional.empty();
  }

  static String describe(Storage s) {
    return switch (s.getKindCase()) {
      case PVE -> s.getPve();
      case ZFS -> "zfs:" + s.getZfs().getParent();
      case DIRECTORY -> "directory:" + s.getDirectory().getPath();
      case KIND_NOT_SET -> "(none)";
    };
  }
}
