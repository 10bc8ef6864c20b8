package org.smbgw.coordinator.decide;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smbgw.common.Addresses;
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
 * implicit address, removed with its last share). One binding per change.
 */
final class Binding {
  private final Snapshot s;
  private final Context c;
  private final List<String> vipRanges;
  private final Set<String> touched = new HashSet<>();

  Binding(Snapshot s, Context c, List<String> vipRanges) {
    this.s = s;
    this.c = c;
    this.vipRanges = vipRanges;
  }

  /** Where an address is, or is going, or was released from; empty when nowhere. */
  static String at(AddressRecord a) {
    return !a.getNode().isEmpty() ? a.getNode() : a.getMovingTo().isEmpty() ? a.getReleasingFrom() : a.getMovingTo();
  }

  /** Puts shares bound to an existing address where the address is (or is going), for placement. */
  static void pin(Snapshot s, List<ShareSpec> shares, Map<String, String> current) {
    for (ShareSpec spec : shares) {
      if (!spec.getAddress().isEmpty()) {
        s.address(spec.getAddress()).map(Tracked::value).map(Binding::at).filter(n -> !n.isEmpty())
            .ifPresent(n -> current.put(spec.getName(), n));
      }
    }
  }

  /** Shares naming {@code address}, by name. */
  static List<ShareSpec> bound(Snapshot s, String address) {
    return s.shares().values().stream().map(Versioned::value).filter(x -> Addresses.same(x.getAddress(), address))
        .sorted(java.util.Comparator.comparing(ShareSpec::getName)).toList();
  }

  /**
   * Checks the share may follow its address and adds the writes binding it: refuses node-local
   * storage and a placement away from the address's node; creates a missing address on the node.
   */
  void bind(ShareSpec spec, String node, Change.Builder change, String field) {
    if (spec.getAddress().isEmpty()) {
      return;
    }
    String local = nodeLocal(s, spec);
    if (local != null) {
      throw Errors.precondition(field + ".address: share '" + spec.getName() + "' cannot have a floating address: "
          + local + ", so it could never move to another node with its address");
    }
    var existing = s.address(spec.getAddress());
    if (existing.isPresent()) {
      AddressRecord a = existing.get().value();
      String at = !a.getNode().isEmpty() ? a.getNode() : a.getMovingTo();
      if (!at.isEmpty() && !at.equals(node)) {
        throw Errors.precondition(field + ".address: address " + a.getAddress() + " is on " + at + " but share '"
            + spec.getName() + "' can only be placed on " + node + "; move the address first (smbgw vip move)");
      }
      return;
    }
    SafeAddresses.refuseUnsafe(s, vipRanges, field + ".address", spec.getAddress());
    if (touched.add(ZkPaths.addressKey(spec.getAddress()))) {
      change.add(new Write.Create(ZkPaths.address(spec.getAddress()), AddressRecord.newBuilder()
          .setAddress(spec.getAddress()).setNode(node).setImplicit(true).setEpoch(c.epoch()).build()));
    }
  }

  /** Adds the delete of an implicit address whose last share is going away with {@code goneShares}. */
  void unbindIfLast(ShareSpec gone, Set<String> goneShares, Change.Builder change) {
    if (gone.getAddress().isEmpty()) {
      return;
    }
    var existing = s.address(gone.getAddress());
    if (existing.isEmpty() || !existing.get().value().getImplicit()) {
      return;
    }
    boolean others = bound(s, gone.getAddress()).stream()
        .anyMatch(o -> !goneShares.contains(ZkPaths.shareKey(o.getName())));
    if (!others && touched.add("-" + ZkPaths.addressKey(gone.getAddress()))) {
      change.add(new Write.Delete(ZkPaths.address(gone.getAddress()), existing.get().version()));
    }
  }

  /** Why the share's storage is reachable from one node only, or null when others reach it too. */
  static String nodeLocal(Snapshot s, ShareSpec spec) {
    switch (spec.getStorage().getKindCase()) {
      case ZFS:
        return "its storage is node-local ZFS (" + spec.getStorage().getZfs().getParent() + ")";
      case PVE: {
        boolean anyOffer = false;
        for (LiveNode live : s.live().values()) {
          for (StorageOffer o : live.getInventory().getStoragesList()) {
            if (o.getId().equals(spec.getStorage().getPve())) {
              anyOffer = true;
              if (!o.getShared() || !o.getZfsParent().isEmpty()) {
                return "its storage " + o.getId() + " is node-local (" + o.getType() + ", not shared)";
              }
            }
          }
        }
        return anyOffer ? null : "no connected node offers its storage " + spec.getStorage().getPve()
            + ", so nothing shows that other nodes reach it";
      }
      case DIRECTORY: {
        // The storage it is in is the one with the longest path holding it (storages can nest).
        StorageOffer in = null;
        for (LiveNode live : s.live().values()) {
          for (StorageOffer o : live.getInventory().getStoragesList()) {
            if (!o.getPath().isEmpty() && spec.getStorage().getDirectory().getPath().startsWith(o.getPath() + "/")
                && (in == null || o.getPath().length() > in.getPath().length())) {
              in = o;
            }
          }
        }
        return in == null ? "its directory is on no shared storage a node offers"
            : in.getShared() ? null : "its directory is on storage " + in.getId() + ", which is not shared";
      }
      default:
        return "it has no storage";
    }
  }
}
