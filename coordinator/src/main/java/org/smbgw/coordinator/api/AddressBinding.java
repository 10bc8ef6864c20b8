package org.smbgw.coordinator.api;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.common.Addresses;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.StorageOffer;

/**
 * Shares that name a floating address: they are placed where the address is, their storage must
 * be reachable from other nodes, and naming an address that does not exist yet creates it (an
 * implicit address, removed with its last share). One binding per fenced transaction.
 */
final class AddressBinding {
  private final ClusterView view;
  private final StateStore store;
  private final Set<String> created = new HashSet<>();

  private final List<String> vipRanges;

  AddressBinding(ClusterView view, StateStore store, List<String> vipRanges) {
    this.view = view;
    this.store = store;
    this.vipRanges = vipRanges;
  }

  /** Puts shares bound to an existing address where the address is (or is going), for placement. */
  static void pin(ClusterView view, List<ShareSpec> shares, Map<String, String> current) {
    for (ShareSpec s : shares) {
      if (s.getAddress().isEmpty()) {
        continue;
      }
      view.address(s.getAddress()).map(Tracked::value).ifPresent(a -> {
        String node = !a.getNode().isEmpty() ? a.getNode() : a.getMovingTo().isEmpty() ? a.getReleasingFrom() : a.getMovingTo();
        if (!node.isEmpty()) {
          current.put(s.getName(), node);
        }
      });
    }
  }

  /**
   * Checks the share may follow its address and adds the writes binding it: refuses node-local
   * storage and a placement away from the address's node; creates a missing address on the node.
   */
  void bind(ShareSpec s, String node, List<CuratorOp> ops, String field) throws Exception {
    if (s.getAddress().isEmpty()) {
      return;
    }
    String local = nodeLocal(s);
    if (local != null) {
      throw Errors.precondition(field + ".address: share '" + s.getName() + "' cannot have a floating address: " + local
          + ", so it could never move to another node with its address");
    }
    var existing = view.address(s.getAddress());
    if (existing.isPresent()) {
      AddressRecord a = existing.get().value();
      String at = !a.getNode().isEmpty() ? a.getNode() : a.getMovingTo();
      if (!at.isEmpty() && !at.equals(node)) {
        throw Errors.precondition(field + ".address: address " + a.getAddress() + " is on " + at + " but share '"
            + s.getName() + "' can only be placed on " + node + "; move the address first (smbgw vip move)");
      }
      return;
    }
    SafeAddresses.refuseUnsafe(view, vipRanges, field + ".address", s.getAddress());
    if (created.add(ZkPaths.addressKey(s.getAddress()))) {
      ops.add(store.create(ZkPaths.address(s.getAddress()), AddressRecord.newBuilder().setAddress(s.getAddress())
          .setNode(node).setImplicit(true).setEpoch(view.epoch()).build()));
    }
  }

  /**
   * Adds the delete of an implicit address whose last share is going away with {@code gone}.
   */
  void unbindIfLast(ShareSpec gone, Set<String> goneShares, List<CuratorOp> ops) throws Exception {
    if (gone.getAddress().isEmpty()) {
      return;
    }
    var existing = view.address(gone.getAddress());
    if (existing.isEmpty() || !existing.get().value().getImplicit()) {
      return;
    }
    boolean others = view.shares().values().stream().map(Versioned::value)
        .anyMatch(o -> Addresses.same(o.getAddress(), gone.getAddress()) && !goneShares.contains(ZkPaths.shareKey(o.getName())));
    if (!others && created.add("-" + ZkPaths.addressKey(gone.getAddress()))) {
      ops.add(store.delete(ZkPaths.address(gone.getAddress()), existing.get().version()));
    }
  }

  /** Why the share's storage is reachable from one node only, or null when others reach it too. */
  String nodeLocal(ShareSpec s) {
    switch (s.getStorage().getKindCase()) {
      case ZFS:
        return "its storage is node-local ZFS (" + s.getStorage().getZfs().getParent() + ")";
      case PVE: {
        boolean anyOffer = false;
        for (LiveNode live : view.live().values()) {
          for (StorageOffer o : live.getInventory().getStoragesList()) {
            if (o.getId().equals(s.getStorage().getPve())) {
              anyOffer = true;
              if (!o.getShared() || !o.getZfsParent().isEmpty()) {
                return "its storage " + o.getId() + " is node-local (" + o.getType() + ", not shared)";
              }
            }
          }
        }
        return anyOffer ? null : "no connected node offers its storage " + s.getStorage().getPve()
            + ", so nothing shows that other nodes reach it";
      }
      case DIRECTORY: {
        for (LiveNode live : view.live().values()) {
          for (StorageOffer o : live.getInventory().getStoragesList()) {
            if (!o.getPath().isEmpty() && s.getStorage().getDirectory().getPath().startsWith(o.getPath() + "/")) {
              return o.getShared() ? null : "its directory is on storage " + o.getId() + ", which is not shared";
            }
          }
        }
        return "its directory is on no shared storage a node offers";
      }
      default:
        return "it has no storage";
    }
  }
}
