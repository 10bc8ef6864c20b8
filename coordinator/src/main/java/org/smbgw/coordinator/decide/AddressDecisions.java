package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.smbgw.common.Addresses;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Violation;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.CreateAddressRequest;
import org.smbgw.proto.v1.DeleteAddressRequest;
import org.smbgw.proto.v1.DeleteAddressResponse;
import org.smbgw.proto.v1.FloatingAddress;
import org.smbgw.proto.v1.MoveAddressRequest;
import org.smbgw.proto.v1.ShareSpec;

/** Floating-address decisions an administrator asks for: create, delete, and planned moves. Pure. */
public final class AddressDecisions {
  private AddressDecisions() {}

  public static Change<FloatingAddress> create(Snapshot s, Context c, List<String> vipRanges, CreateAddressRequest req) {
    List<Violation> v = new ArrayList<>();
    Addresses.cidr("address", req.getAddress(), v);
    Addresses.interfaceName("interface", req.getInterface(), v);
    InvalidSpecException.throwIfAny(v);
    if (s.address(req.getAddress()).isPresent()) {
      throw Errors.exists("address " + s.address(req.getAddress()).get().value().getAddress());
    }
    SafeAddresses.refuseUnsafe(s, vipRanges, "address", req.getAddress());
    Map<String, Candidate> nodes = Placing.candidates(s, Map.of());
    String node = req.getNode();
    if (!node.isEmpty()) {
      Candidate target = Optional.ofNullable(nodes.get(node))
          .orElseThrow(() -> Errors.notFound("node '" + req.getNode() + "'"));
      refuseUnfit(target, "an address");
    } else {
      node = Placing.leastAddresses(s, nodes.values().stream().filter(n -> n.connected() && !n.maintenance()).toList())
          .orElse("");
    }
    AddressRecord a = AddressRecord.newBuilder().setAddress(req.getAddress()).setInterface(req.getInterface())
        .setNode(node).setEpoch(c.epoch()).build();
    Change.Builder change = new Change.Builder().add(new Write.Create(ZkPaths.address(req.getAddress()), a));
    change.event("address.created", "address/" + req.getAddress(), node.isEmpty() ? "no node can take it yet" : "on " + node);
    return change.reply(Views.address(a, s));
  }

  public static Change<DeleteAddressResponse> delete(Snapshot s, DeleteAddressRequest req) {
    Tracked<AddressRecord> a = s.address(req.getAddress()).orElseThrow(() -> Errors.notFound("address " + req.getAddress()));
    List<String> users = Binding.bound(s, req.getAddress()).stream().map(ShareSpec::getName).toList();
    if (!users.isEmpty()) {
      throw Errors.precondition("address " + a.value().getAddress() + " is used by share(s) " + String.join(", ", users)
          + "; change or delete them first");
    }
    Change.Builder change = new Change.Builder().add(new Write.Delete(ZkPaths.address(req.getAddress()), a.version()));
    change.event("address.deleted", "address/" + a.value().getAddress(), "released");
    return change.reply(DeleteAddressResponse.newBuilder().setAddress(a.value().getAddress()).build());
  }

  public static Change<FloatingAddress> move(Snapshot s, Context c, MoveAddressRequest req) {
    Tracked<AddressRecord> a = s.address(req.getAddress()).orElseThrow(() -> Errors.notFound("address " + req.getAddress()));
    Candidate target = Optional.ofNullable(Placing.candidates(s, Map.of()).get(req.getNode()))
        .orElseThrow(() -> Errors.notFound("node '" + req.getNode() + "'"));
    return moveTo(s, c, a, target, "vip move");
  }

  /**
   * A planned move (DESIGN 4): the holder is asked to release the address first; the leader's
   * address duties give it, with its shares, to the target once the holder renewed without it.
   */
  static Change<FloatingAddress> moveTo(Snapshot s, Context c, Tracked<AddressRecord> a, Candidate target, String why) {
    AddressRecord r = a.value();
    if (r.getNode().equals(target.name()) || r.getMovingTo().equals(target.name())) {
      return Change.none(Views.address(r, s));
    }
    refuseUnfit(target, "address " + r.getAddress());
    List<ShareSpec> bound = Binding.bound(s, r.getAddress());
    for (ShareSpec spec : bound) {
      String local = Binding.nodeLocal(s, spec);
      if (local != null) {
        throw Errors.precondition("address " + r.getAddress() + " cannot move: share '" + spec.getName() + "' " + local);
      }
    }
    if (!bound.isEmpty()) {
      Placer.Result res = Placing.place(bound, Map.of(), List.of(target));
      List<String> unfit = bound.stream().map(ShareSpec::getName).filter(n -> !res.placed().containsKey(n)).toList();
      if (!unfit.isEmpty()) {
        throw Errors.precondition("address " + r.getAddress() + " cannot move to " + target.name() + ": share '"
            + unfit.get(0) + "' " + res.unplaceable().get(unfit.get(0)));
      }
    }
    String from = r.getNode().isEmpty() ? r.getReleasingFrom() : r.getNode();
    AddressRecord next = r.toBuilder().setNode("").setReleasingFrom(from).setMovingTo(target.name())
        .setEpoch(c.epoch()).build();
    Change.Builder change = new Change.Builder().add(new Write.Update(ZkPaths.address(r.getAddress()), next, a.version()));
    change.event("address.moving", "address/" + r.getAddress(), "from " + (from.isEmpty() ? "nowhere" : from) + " to "
        + target.name() + " with " + bound.size() + " share(s) (" + why + ")");
    return change.reply(Views.address(next, s));
  }

  private static void refuseUnfit(Candidate target, String what) {
    if (target.maintenance() || !target.connected()) {
      throw Errors.precondition("node: " + target.name() + " cannot take " + what + ": it is "
          + (target.maintenance() ? "in maintenance" : "not connected"));
    }
  }
}
