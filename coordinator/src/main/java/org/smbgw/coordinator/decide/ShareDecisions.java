package org.smbgw.coordinator.decide;

import io.grpc.Status;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.smbgw.common.Addresses;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.ShareConflicts;
import org.smbgw.common.ShareValidator;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.DeleteShareRequest;
import org.smbgw.proto.v1.DeleteShareResponse;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.MoveShareRequest;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UpdateShareRequest;

/** Share decisions: create, update, delete (with or without purge) and move. Pure. */
public final class ShareDecisions {
  private static final ShareValidator VALIDATOR = ShareValidator.anyNode();

  private ShareDecisions() {}

  public static Change<Share> create(Snapshot s, Context c, List<String> vipRanges, CreateShareRequest req) {
    ShareSpec spec = req.getSpec();
    InvalidSpecException.throwIfAny(VALIDATOR.validate("spec", spec));
    Optional<Versioned<ShareSpec>> same = s.share(spec.getName());
    if (same.isPresent()) {
      throw Errors.exists("share '" + same.get().value().getName() + "'");
    }
    if (s.purging(spec.getName())) {
      throw Errors.precondition("the purge of an earlier share named '" + spec.getName() + "' is still pending");
    }
    refuseConflicts(s, "spec", spec);
    String node = Placing.placeOne(s, spec, Optional.empty());
    Change.Builder change = new Change.Builder();
    new Binding(s, c, vipRanges).bind(spec, node, change, "spec");
    change.add(new Write.Create(ZkPaths.share(spec.getName()), spec));
    Removals.forget(s, "share/" + spec.getName(), change);
    Placing.placementWrite(s, c, spec.getName(), node).ifPresent(change::add);
    change.event("share.created", "share/" + spec.getName(), "placed on " + node);
    return change.reply(Views.share(spec, node, s));
  }

  public static Change<Share> update(Snapshot s, Context c, List<String> vipRanges, UpdateShareRequest req) {
    ShareSpec spec = req.getSpec();
    InvalidSpecException.throwIfAny(VALIDATOR.validate("spec", spec));
    Versioned<ShareSpec> existing = s.share(spec.getName())
        .orElseThrow(() -> Errors.notFound("share '" + spec.getName() + "'"));
    if (!existing.value().getName().equals(spec.getName())) {
      throw Status.INVALID_ARGUMENT.withDescription("spec.name: a share cannot be renamed ('"
          + existing.value().getName() + "' to '" + spec.getName() + "')").asRuntimeException();
    }
    refuseConflicts(s, "spec", spec);
    Optional<String> current = s.placement(spec.getName());
    String node = Placing.placeOne(s, spec, current);
    Change.Builder change = new Change.Builder();
    Binding binding = new Binding(s, c, vipRanges);
    binding.bind(spec, node, change, "spec");
    if (!Addresses.same(existing.value().getAddress(), spec.getAddress())) {
      binding.unbindIfLast(existing.value(), Set.of(ZkPaths.shareKey(spec.getName())), change);
    }
    change.add(new Write.Update(ZkPaths.share(spec.getName()), spec, existing.version()));
    Placing.placementWrite(s, c, spec.getName(), node).ifPresent(change::add);
    if (current.isPresent() && !current.get().equals(node)) {
      change.moved("placement", 1);
    }
    change.event("share.updated", "share/" + spec.getName(), "on " + node);
    return change.reply(Views.share(spec, node, s));
  }

  public static Change<DeleteShareResponse> delete(Snapshot s, Context c, List<String> vipRanges, DeleteShareRequest req) {
    Versioned<ShareSpec> existing = s.share(req.getName())
        .orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'"));
    String name = existing.value().getName();
    Change.Builder change = new Change.Builder();
    Optional<String> node = remove(s, c, vipRanges, existing, Set.of(ZkPaths.shareKey(name)), req.getPurge(), change);
    change.event("share.deleted", "share/" + name, req.getPurge() ? "unpublished; its data will be destroyed (purge)"
        : "unpublished; its data is kept");
    return change.reply(DeleteShareResponse.newBuilder().setName(name).setPurge(req.getPurge())
        .setNode(node.orElse("")).build());
  }

  /**
   * Adds the writes removing a share: its spec and placement, its implicit address if it was the
   * last of {@code going} to use it, the record that it was removed on purpose, and with
   * {@code purge} the pending purge of its data on the node it was on.
   *
   * @return the node it was placed on
   */
  static Optional<String> remove(Snapshot s, Context c, List<String> vipRanges, Versioned<ShareSpec> existing,
      Set<String> going, boolean purge, Change.Builder change) {
    String name = existing.value().getName();
    Versioned<Placement> placement = s.placements().get(ZkPaths.shareKey(name));
    new Binding(s, c, vipRanges).unbindIfLast(existing.value(), going, change);
    change.add(new Write.Delete(ZkPaths.share(name), existing.version()));
    Removals.record(s, "share/" + name, change);
    if (placement == null) {
      return Optional.empty();
    }
    change.add(new Write.Delete(ZkPaths.placement(name), placement.version()));
    if (purge) {
      change.add(new Write.Create(ZkPaths.purge(name), PendingPurge.newBuilder().setShare(name)
          .setNode(placement.value().getNode()).setGeneration(s.nextGeneration()).build()));
    }
    return Optional.of(placement.value().getNode());
  }

  /** A share goes where its address goes: with an address, the address moves with every share bound to it. */
  public static Change<Share> move(Snapshot s, Context c, MoveShareRequest req) {
    ShareSpec spec = s.share(req.getName()).orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'")).value();
    Map<String, Candidate> nodes = Placing.candidates(s, Map.of());
    Candidate target = Optional.ofNullable(nodes.get(req.getNode()))
        .orElseThrow(() -> Errors.notFound("node '" + req.getNode() + "'"));
    Optional<String> from = s.placement(spec.getName());
    if (from.equals(Optional.of(target.name()))) {
      return Change.none(Views.share(spec, target.name(), s));
    }
    if (!spec.getAddress().isEmpty() && s.address(spec.getAddress()).isPresent()) {
      Change<?> moving = AddressDecisions.moveTo(s, c, s.address(spec.getAddress()).get(), target,
          "share move of " + spec.getName());
      return new Change<>(moving.writes(), moving.events(), Views.share(spec, target.name(), s), moving.cause(),
          moving.moved(), Map.of());
    }
    Placer.Result r = Placing.place(List.of(spec), Map.of(), List.of(target));
    if (!r.placed().containsKey(spec.getName())) {
      throw Errors.precondition("share '" + spec.getName() + "' cannot go to " + target.name() + ": "
          + r.unplaceable().get(spec.getName()));
    }
    if (from.isPresent() && !Placing.movable(spec, nodes.get(from.get()))) {
      throw Errors.precondition("share '" + spec.getName() + "' is on node-local storage of " + from.get()
          + "; it cannot move without its data");
    }
    Change.Builder change = new Change.Builder();
    Placing.placementWrite(s, c, spec.getName(), target.name()).ifPresent(change::add);
    change.moved("planned", 1);
    change.event("share.moved", "share/" + spec.getName(), "from " + from.orElse("nowhere") + " to " + target.name());
    return change.reply(Views.share(spec, target.name(), s));
  }

  /**
   * Refuses a share whose name equals another's under Samba's case folding, or whose directory is
   * another's or nested with it, naming that share (the share's own znode is not another share);
   * and one whose administrators include the group of every share root of a node.
   */
  static void refuseConflicts(Snapshot s, String field, ShareSpec spec) {
    String own = ZkPaths.shareKey(spec.getName());
    List<ShareSpec> others = s.shares().entrySet().stream().filter(e -> !e.getKey().equals(own))
        .map(e -> e.getValue().value()).toList();
    InvalidSpecException.throwIfAny(ShareConflicts.among(field, spec, others, "existing share"));
    refuseRootsGroupAsAdmins(s, field, spec);
  }

  /**
   * FAILED_PRECONDITION when a share's administrators include the group every share root of some
   * node belongs to (as its agent reports): everyone with access to any share would be root on it.
   */
  static void refuseRootsGroupAsAdmins(Snapshot s, String field, ShareSpec spec) {
    for (LiveNode n : s.live().values()) {
      String group = n.getInventory().getShareGroup();
      if (!group.isEmpty() && spec.getAdmin().getGroupsList().contains(group)) {
        throw Errors.precondition(field + ".admin.groups: '" + group + "' is the group of every share root on node "
            + n.getNode() + ": as administrators, everyone with access to any share would act as root on this one");
      }
    }
  }
}
