package org.smbgw.agent.pve;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.smbgw.agent.reconcile.DatasetNames;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.ZfsStorage;

/**
 * Turns {@code storage: {pve: ID}} into what this node has under that ID: a zfspool storage gives
 * a dataset under its pool; a directory-like storage gives the directory {@code smbgw/<share>}
 * under its path (and that {@code smbgw} directory becomes a directory root). Each call looks at
 * the storages as they are then (see {@link StorageCatalog}).
 */
public final class StorageResolver {
  public static final String SUBDIRECTORY = "smbgw";
  private final String node;
  private final Supplier<Map<String, PveStorage>> storages;

  public StorageResolver(String node, Supplier<Map<String, PveStorage>> storages) {
    this.node = node;
    this.storages = storages;
  }

  public StorageResolver(String node, Map<String, PveStorage> storages) {
    this(node, () -> storages);
  }

  /** Directory roots that resolved directory-like storages put shares under. */
  public List<Path> roots() {
    List<Path> out = new ArrayList<>();
    storages.get().values().stream().filter(s -> s.availableOn(node) && !s.zfs())
        .forEach(s -> out.add(Path.of(s.path()).resolve(SUBDIRECTORY)));
    return out;
  }

  /** The state with every pve storage resolved; throws naming each share whose storage is not here. */
  public NodeDesiredState resolve(NodeDesiredState state) {
    List<Violation> out = new ArrayList<>();
    NodeDesiredState resolved = resolve(state, out, new java.util.TreeMap<>());
    InvalidSpecException.throwIfAny(out);
    return resolved;
  }

  /**
   * The state with every pve storage resolved, leaving out each share whose storage is not here
   * (its reason in {@code refused}, under "share/NAME"): the other shares still converge.
   */
  public NodeDesiredState resolveEach(NodeDesiredState state, Map<String, String> refused) {
    return resolve(state, new ArrayList<>(), refused);
  }

  private NodeDesiredState resolve(NodeDesiredState state, List<Violation> out, Map<String, String> refused) {
    Map<String, PveStorage> storages = this.storages.get();
    NodeDesiredState.Builder b = state.toBuilder().clearShares();
    for (ShareSpec s : state.getSharesList()) {
      int before = out.size();
      resolveOne(s, storages, out, b);
      if (out.size() > before) {
        refused.put("share/" + s.getName(), out.get(before).toString());
      }
    }
    return b.build();
  }

  private void resolveOne(ShareSpec s, Map<String, PveStorage> storages, List<Violation> out, NodeDesiredState.Builder b) {
    if (!s.getStorage().hasPve() || s.getStorage().getPve().isEmpty()) {
      b.addShares(s);
      return;
    }
    String field = "Share/" + s.getName() + ": spec.storage.pve";
    PveStorage st = storages.get(s.getStorage().getPve());
    if (st == null || !st.availableOn(node)) {
      out.add(new Violation(field, "storage '" + s.getStorage().getPve() + "' is not available on node " + node
          + (storages.isEmpty() ? " (no storage.cfg)" : " (usable here: "
          + storages.values().stream().filter(x -> x.availableOn(node)).map(PveStorage::id).toList() + ")")));
      return;
    }
    if (st.zfs()) {
      b.addShares(s.toBuilder().setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent(st.pool()))));
    } else if (s.getQuotaBytes() > 0) {
      out.add(new Violation(field, "storage '" + st.id() + "' is a " + st.type()
          + " storage, which cannot enforce a quota; use a zfspool storage or leave the quota out"));
    } else {
      Path dir = Path.of(st.path()).resolve(SUBDIRECTORY).resolve(DatasetNames.component(s.getName()));
      b.addShares(s.toBuilder().setStorage(Storage.newBuilder()
          .setDirectory(DirectoryStorage.newBuilder().setPath(dir.toString()))));
    }
  }
}
