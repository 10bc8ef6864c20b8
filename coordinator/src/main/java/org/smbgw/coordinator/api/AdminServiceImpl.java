package org.smbgw.coordinator.api;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Names;
import org.smbgw.common.NtHash;
import org.smbgw.common.ShareConflicts;
import org.smbgw.common.ShareValidator;
import org.smbgw.common.Violation;
import org.smbgw.coordinator.election.Leadership;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Removals;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.StoreException;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.coordinator.stats.ShareHistory;
import io.grpc.stub.ServerCallStreamObserver;
import org.smbgw.proto.v1.*;

/**
 * The admin API as the leader serves it (the forwarding interceptor sends followers' calls here).
 * Each mutation: validate, place, then one fenced transaction. Reads come from the view.
 * Mutations are serialised (synchronized) so that placement sees the previous one's result.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  private final ClusterView view;
  private final StateStore store;
  private final Leadership leadership;
  private final ShareValidator validator = ShareValidator.anyNode();
  private final Placer placer = new Placer();

  private final ShareHistory history;
  private final org.smbgw.coordinator.ha.HaListener ha;

  private final List<String> vipRanges;

  /** @param vipRanges networks floating addresses must lie in (empty: any the other rules allow) */
  public AdminServiceImpl(ClusterView view, StateStore store, Leadership leadership, ShareHistory history,
      org.smbgw.coordinator.ha.HaListener ha, List<String> vipRanges) {
    this.vipRanges = List.copyOf(vipRanges);
    this.ha = ha;
    this.view = view;
    this.store = store;
    this.leadership = leadership;
    this.history = history;
  }

  private static <T> void answer(StreamObserver<T> out, Callable<T> work) {
    T result;
    try {
      result = work.call();
    } catch (Exception e) {
      out.onError(Errors.of(e));
      return;
    }
    out.onNext(result);
    out.onCompleted();
  }

  private CuratorOp event(String kind, String subject, String message) throws Exception {
    return store.event(Event.newBuilder().setTimeMillis(System.currentTimeMillis()).setKind(kind)
        .setSubject(subject).setMessage(message).setEpoch(term().epoch()).setDecision(decision).build());
  }

  /** Times a decision is made again because the state changed under it, before the caller hears ABORTED. */
  private static final int DECISIONS = 5;
  /** How long a decision waits for the view to show a newer generation (its own write, or another's). */
  private static final java.time.Duration VIEW_WAIT = java.time.Duration.ofSeconds(5);
  /** The generation the running decision was made on, and the one its write made; guarded by this. */
  private long decidedOn;
  private long written;
  /** The running decision's id, on each event it writes; guarded by this. */
  private String decision = "";

  /**
   * Runs one decision of the admin API, one at a time on this replica: {@code body} reads the view,
   * builds its writes and hands them to {@link #write}, which fences them on the epoch and on the
   * generation the view showed when the decision began. When the generation moved meanwhile (the
   * view trailed another write: the address duties', another replica's term), the decision is made
   * again on the view that shows it. Before the next decision starts, the view shows this one's
   * write: two creates in a row are placed on a picture that includes the first.
   */
  private <T> T decide(Callable<T> body) throws Exception {
    synchronized (this) {
      for (int attempt = 1; ; attempt++) {
        decidedOn = view.generation();
        written = -1;
        decision = java.util.UUID.randomUUID().toString();
        try {
          return body.call();
        } catch (StoreException e) {
          if (e.kind() != StoreException.Kind.MOVED || attempt == DECISIONS) {
            throw e;
          }
          view.awaitGeneration(decidedOn + 1, VIEW_WAIT);
        } finally {
          if (written >= 0) { // what was written, even by a decision that failed after writing
            view.awaitGeneration(written, VIEW_WAIT);
          }
        }
      }
    }
  }

  /** Writes a decision's operations in one transaction fenced on the epoch and the decision's generation. */
  private void write(List<CuratorOp> ops) throws StoreException {
    try {
      store.fenced(term(), decidedOn, ops);
      written = decidedOn + 1;
    } catch (StoreException e) {
      // The connection lost the answer and Curator tried again: the first try may have landed.
      if ((e.kind() == StoreException.Kind.MOVED || e.kind() == StoreException.Kind.UNAVAILABLE) && landed()) {
        return; // written stays -1: decide() does not wait for a generation it does not know
      }
      throw e;
    }
  }

  /**
   * Whether the running decision's transaction is in ZooKeeper after all: its events carry the
   * decision's id, and the view, once it has caught up with ZooKeeper, shows them.
   */
  private boolean landed() {
    try {
      view.awaitGeneration(store.generation(), VIEW_WAIT);
    } catch (Exception e) {
      return false; // ZooKeeper cannot say now: the caller hears the failure and may retry
    }
    return view.events().descendingMap().values().stream().limit(LANDED_LOOKBACK)
        .anyMatch(ev -> ev.getDecision().equals(decision));
  }

  /** Events looked through for a decision's own: far more than writes between its try and the look. */
  private static final int LANDED_LOOKBACK = 1000;

  private Term term() {
    return leadership.term().orElseThrow(() -> Status.UNAVAILABLE
        .withDescription("this coordinator is not the leader and no leader is known yet").asRuntimeException());
  }

  // ---- shares ----

  @Override
  public void createShare(CreateShareRequest req, StreamObserver<Share> out) {
    answer(out, () -> {
      return decide(() -> {
        ShareSpec spec = req.getSpec();
        InvalidSpecException.throwIfAny(validator.validate("spec", spec));
        if (view.share(spec.getName()).isPresent()) {
          throw Errors.exists("share '" + view.share(spec.getName()).get().value().getName() + "'");
        }
        if (view.purges().containsKey(ZkPaths.shareKey(spec.getName()))) {
          throw Errors.precondition("the purge of an earlier share named '" + spec.getName() + "' is still pending");
        }
        refuseConflicts(spec);
        String node = placeOne(spec, Optional.empty());
        List<CuratorOp> ops = store.ops();
        new AddressBinding(view, store, vipRanges).bind(spec, node, ops, "spec");
        ops.add(store.create(ZkPaths.share(spec.getName()), spec));
        Removals.forget(view, store, "share/" + spec.getName(), ops);
        ops.add(placementOp(spec.getName(), node));
        ops.add(event("share.created", "share/" + spec.getName(), "placed on " + node));
        write(ops);
        return Views.share(spec, node, view);
      });
    });
  }

  @Override
  public void updateShare(UpdateShareRequest req, StreamObserver<Share> out) {
    answer(out, () -> {
      return decide(() -> {
        ShareSpec spec = req.getSpec();
        InvalidSpecException.throwIfAny(validator.validate("spec", spec));
        Versioned<ShareSpec> existing = view.share(spec.getName())
            .orElseThrow(() -> Errors.notFound("share '" + spec.getName() + "'"));
        if (!existing.value().getName().equals(spec.getName())) {
          throw Status.INVALID_ARGUMENT.withDescription("spec.name: a share cannot be renamed ('"
              + existing.value().getName() + "' to '" + spec.getName() + "')").asRuntimeException();
        }
        refuseConflicts(spec);
        Optional<String> current = view.placement(spec.getName());
        String node = placeOne(spec, current);
        List<CuratorOp> ops = store.ops();
        AddressBinding binding = new AddressBinding(view, store, vipRanges);
        binding.bind(spec, node, ops, "spec");
        if (!org.smbgw.common.Addresses.same(existing.value().getAddress(), spec.getAddress())) {
          binding.unbindIfLast(existing.value(), java.util.Set.of(ZkPaths.shareKey(spec.getName())), ops);
        }
        ops.add(store.set(ZkPaths.share(spec.getName()), spec, existing.version()));
        boolean moved = current.isPresent() && !current.equals(Optional.of(node));
        if (!current.equals(Optional.of(node))) {
          ops.add(placementOp(spec.getName(), node));
        }
        ops.add(event("share.updated", "share/" + spec.getName(), "on " + node));
        write(ops);
        ha.placementChanged("placement", moved ? 1 : 0);
        return Views.share(spec, node, view);
      });
    });
  }

  @Override
  public void getShare(GetShareRequest req, StreamObserver<Share> out) {
    answer(out, () -> {
      ShareSpec spec = view.share(req.getName()).orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'")).value();
      return Views.share(spec, view.placement(spec.getName()).orElse(""), view);
    });
  }

  @Override
  public void listShares(ListSharesRequest req, StreamObserver<ListSharesResponse> out) {
    answer(out, () -> {
      ListSharesResponse.Builder b = ListSharesResponse.newBuilder();
      view.shares().values().stream().map(Versioned::value).sorted(java.util.Comparator.comparing(ShareSpec::getName))
          .forEach(s -> b.addShares(Views.share(s, view.placement(s.getName()).orElse(""), view)));
      return b.build();
    });
  }

  @Override
  public void deleteShare(DeleteShareRequest req, StreamObserver<DeleteShareResponse> out) {
    answer(out, () -> {
      return decide(() -> {
        Versioned<ShareSpec> existing = view.share(req.getName())
            .orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'"));
        String name = existing.value().getName();
        Versioned<Placement> placement = view.placements().get(ZkPaths.shareKey(name));
        List<CuratorOp> ops = store.ops();
        new AddressBinding(view, store, vipRanges).unbindIfLast(existing.value(), java.util.Set.of(ZkPaths.shareKey(name)), ops);
        ops.add(store.delete(ZkPaths.share(name), existing.version()));
        Removals.record(view, store, "share/" + name, ops);
        if (placement != null) {
          ops.add(store.delete(ZkPaths.placement(name), placement.version()));
          if (req.getPurge()) {
            ops.add(store.create(ZkPaths.purge(name), PendingPurge.newBuilder().setShare(name)
                .setNode(placement.value().getNode()).setGeneration(store.nextGeneration()).build()));
          }
        }
        ops.add(event("share.deleted", "share/" + name, req.getPurge() ? "unpublished; its data will be destroyed (purge)"
            : "unpublished; its data is kept"));
        write(ops);
        return DeleteShareResponse.newBuilder().setName(name).setPurge(req.getPurge())
            .setNode(placement == null ? "" : placement.value().getNode()).build();
      });
    });
  }

  @Override
  public void moveShare(MoveShareRequest req, StreamObserver<Share> out) {
    answer(out, () -> {
      return decide(() -> {
        ShareSpec spec = view.share(req.getName()).orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'")).value();
        Map<String, Candidate> nodes = candidates(Map.of());
        Candidate target = Optional.ofNullable(nodes.get(req.getNode()))
            .orElseThrow(() -> Errors.notFound("node '" + req.getNode() + "'"));
        Optional<String> from = view.placement(spec.getName());
        if (from.equals(Optional.of(target.name()))) {
          return Views.share(spec, target.name(), view);
        }
        if (!spec.getAddress().isEmpty() && view.address(spec.getAddress()).isPresent()) {
          // A share goes where its address goes: move the address, and every share bound to it.
          moveAddressTo(view.address(spec.getAddress()).get(), target, "share move of " + spec.getName());
          return Views.share(spec, target.name(), view);
        }
        Placer.Result r = placer.place(List.of(spec), Map.of(), List.of(target));
        if (!r.placed().containsKey(spec.getName())) {
          throw Errors.precondition("share '" + spec.getName() + "' cannot go to " + target.name() + ": "
              + r.unplaceable().get(spec.getName()));
        }
        if (from.isPresent() && !Placer.movable(spec, nodes.get(from.get()))) {
          throw Errors.precondition("share '" + spec.getName() + "' is on node-local storage of " + from.get()
              + "; it cannot move without its data");
        }
        List<CuratorOp> ops = store.ops();
        ops.add(placementOp(spec.getName(), target.name()));
        ops.add(event("share.moved", "share/" + spec.getName(), "from " + from.orElse("nowhere") + " to " + target.name()));
        write(ops);
        ha.placementChanged("planned", 1);
        return Views.share(spec, target.name(), view);
      });
    });
  }

  /**
   * Refuses a share whose name equals another's under Samba's case folding, or whose directory is
   * another's or nested with it, naming that share. The share's own znode is not another share.
   */
  private void refuseConflicts(ShareSpec spec) {
    String own = ZkPaths.shareKey(spec.getName());
    List<ShareSpec> others = view.shares().entrySet().stream().filter(e -> !e.getKey().equals(own))
        .map(e -> e.getValue().value()).toList();
    InvalidSpecException.throwIfAny(ShareConflicts.among("spec", spec, others, "existing share"));
    refuseRootsGroupAsAdmins(view, "spec", spec);
  }

  /**
   * FAILED_PRECONDITION when a share's administrators include the group every share root of some
   * node belongs to (as its agent reports): everyone with access to any share would be root on it.
   */
  static void refuseRootsGroupAsAdmins(ClusterView view, String field, ShareSpec spec) {
    for (org.smbgw.proto.v1.LiveNode n : view.live().values()) {
      String group = n.getInventory().getShareGroup();
      if (!group.isEmpty() && spec.getAdmin().getGroupsList().contains(group)) {
        throw Errors.precondition(field + ".admin.groups: '" + group + "' is the group of every share root on node "
            + n.getNode() + ": as administrators, everyone with access to any share would act as root on this one");
      }
    }
  }

  /** Places one share against all others; throws FAILED_PRECONDITION saying why it fits nowhere. */
  private String placeOne(ShareSpec spec, Optional<String> current) {
    List<ShareSpec> all = new ArrayList<>();
    Map<String, String> placements = new HashMap<>();
    view.shares().values().forEach(v -> {
      if (!ZkPaths.shareKey(v.value().getName()).equals(ZkPaths.shareKey(spec.getName()))) {
        all.add(v.value());
        view.placement(v.value().getName()).ifPresent(n -> placements.put(v.value().getName(), n));
      }
    });
    all.add(spec);
    current.ifPresent(n -> placements.put(spec.getName(), n));
    AddressBinding.pin(view, all, placements);
    Placer.Result r = placer.place(all, placements, List.copyOf(candidates(Map.of()).values()));
    String node = r.placed().get(spec.getName());
    if (node == null) {
      throw Errors.precondition("share '" + spec.getName() + "' fits nowhere: " + r.unplaceable().get(spec.getName()));
    }
    return node;
  }

  private CuratorOp placementOp(String share, String node) throws Exception {
    Placement p = Placement.newBuilder().setShare(share).setNode(node).setEpoch(term().epoch()).build();
    Versioned<Placement> existing = view.placements().get(ZkPaths.shareKey(share));
    return existing == null ? store.create(ZkPaths.placement(share), p)
        : store.set(ZkPaths.placement(share), p, existing.version());
  }

  /** Every known node, with maintenance overridden where given. */
  private Map<String, Candidate> candidates(Map<String, Boolean> maintenance) {
    Map<String, Candidate> out = new TreeMap<>();
    view.nodes().values().forEach(v -> {
      NodeRecord n = v.value();
      LiveNode live = view.live().get(n.getName());
      out.put(n.getName(), new Candidate(n.getName(), live != null, maintenance.getOrDefault(n.getName(), n.getMaintenance()),
          live == null ? List.of() : live.getInventory().getStoragesList()));
    });
    return out;
  }

  // ---- nodes ----

  @Override
  public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
    answer(out, () -> {
      ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
      new TreeMap<>(view.nodes()).values().forEach(v -> b.addNodes(Views.node(v.value(), view)));
      return b.build();
    });
  }

  @Override
  public void drainNode(DrainNodeRequest req, StreamObserver<DrainNodeResponse> out) {
    answer(out, () -> {
      return decide(() -> {
        Versioned<NodeRecord> node = node(req.getName());
        List<ShareSpec> all = new ArrayList<>();
        Map<String, String> placements = new HashMap<>();
        view.shares().values().forEach(v -> {
          all.add(v.value());
          view.placement(v.value().getName()).ifPresent(n -> placements.put(v.value().getName(), n));
        });
        AddressBinding.pin(view, all, placements);
        Placer.Result r = placer.place(all, placements, List.copyOf(candidates(Map.of(req.getName(), true)).values()));
        DrainNodeResponse.Builder b = DrainNodeResponse.newBuilder();
        List<CuratorOp> ops = store.ops();
        ops.add(store.set(ZkPaths.node(req.getName()), node.value().toBuilder().setMaintenance(true).build(), node.version()));
        Map<String, String> addressMoves = new TreeMap<>();
        int movedShares = 0;
        for (Map.Entry<String, String> e : placements.entrySet()) {
          if (!e.getValue().equals(req.getName())) {
            continue;
          }
          String to = r.placed().get(e.getKey());
          ShareSpec spec = view.share(e.getKey()).map(Versioned::value).orElse(null);
          boolean bound = spec != null && !spec.getAddress().isEmpty() && view.address(spec.getAddress()).isPresent();
          if (to != null && !to.equals(req.getName())) {
            b.putMoved(e.getKey(), to);
            if (bound) {
              addressMoves.put(ZkPaths.addressKey(spec.getAddress()), to); // released first, then moved
            } else {
              ops.add(placementOp(e.getKey(), to));
              movedShares++;
            }
          } else {
            b.putStuck(e.getKey(), r.unplaceable().getOrDefault(e.getKey(), "no other node can host it"));
          }
        }
        // Addresses with no shares move too; addresses whose shares are stuck stay.
        for (var e : view.addresses().entrySet()) {
          AddressRecord a = e.getValue().value();
          if (a.getNode().equals(req.getName()) && !addressMoves.containsKey(e.getKey())
              && view.shares().values().stream().noneMatch(x -> org.smbgw.common.Addresses.same(x.value().getAddress(), a.getAddress()))) {
            candidates(Map.of(req.getName(), true)).values().stream()
                .filter(c -> c.connected() && !c.maintenance()).findFirst().ifPresent(c -> addressMoves.put(e.getKey(), c.name()));
          }
        }
        for (var e : addressMoves.entrySet()) {
          Tracked<AddressRecord> a = view.addresses().get(e.getKey());
          ops.add(store.set(ZkPaths.ADDRESSES + "/" + e.getKey(), a.value().toBuilder().setNode("")
              .setReleasingFrom(req.getName()).setMovingTo(e.getValue()).setEpoch(term().epoch()).build(), a.version()));
        }
        ops.add(event("node.drained", "node/" + req.getName(), b.getMovedCount() + " share(s) moved, "
            + b.getStuckCount() + " could not move, " + addressMoves.size() + " address(es) released to move"));
        write(ops);
        ha.placementChanged("planned", movedShares);
        return b.setNode(Views.node(node.value().toBuilder().setMaintenance(true).build(), view)).build();
      });
    });
  }

  @Override
  public void undrainNode(UndrainNodeRequest req, StreamObserver<Node> out) {
    answer(out, () -> {
      return decide(() -> {
        Versioned<NodeRecord> node = node(req.getName());
        NodeRecord next = node.value().toBuilder().setMaintenance(false).build();
        List<CuratorOp> ops = store.ops();
        ops.add(store.set(ZkPaths.node(req.getName()), next, node.version()));
        ops.add(event("node.undrained", "node/" + req.getName(), "out of maintenance"));
        write(ops);
        return Views.node(next, view); // nothing moves back by itself: no flapping
      });
    });
  }

  /** The node's record; NOT_FOUND when the cluster does not know it. */
  private Versioned<NodeRecord> node(String name) {
    return Optional.ofNullable(view.nodes().get(name)).orElseThrow(() -> Errors.notFound("node '" + name + "'"));
  }

  @Override
  public void confirmRemoval(ConfirmRemovalRequest req, StreamObserver<ConfirmRemovalResponse> out) {
    answer(out, () -> {
      return decide(() -> {
        Versioned<NodeRecord> node = node(req.getName());
        Node now = Views.node(node.value(), view);
        if (!now.getConnected()) {
          throw Errors.precondition("node '" + req.getName() + "' is not connected: only what it reports now can be "
              + "confirmed");
        }
        // A node of another cluster first joins this one, removing nothing: what it then keeps is
        // measured against this cluster's state and confirmed on its own.
        boolean adopt = !now.getForeignCluster().isEmpty();
        List<String> reported = adopt ? List.of() : now.getLossesList();
        List<String> removals = reported;
        if (!adopt && !req.getOnlyList().isEmpty()) {
          List<String> unknown = req.getOnlyList().stream().filter(x -> !reported.contains(x)).toList();
          if (!unknown.isEmpty()) {
            throw Errors.precondition("node '" + req.getName() + "' does not report " + String.join(", ", unknown)
                + " (it reports " + (reported.isEmpty() ? "nothing" : String.join(", ", reported)) + ")");
          }
          removals = req.getOnlyList();
        }
        if (removals.isEmpty() && !adopt) {
          throw Errors.precondition("node '" + req.getName() + "' reports no losses and belongs to this cluster: "
              + "nothing to confirm");
        }
        java.util.TreeSet<String> confirmed = new java.util.TreeSet<>(node.value().getConfirmedRemovalsList());
        confirmed.addAll(removals);
        NodeRecord next = node.value().toBuilder().clearConfirmedRemovals().addAllConfirmedRemovals(confirmed)
            .setAdopt(node.value().getAdopt() || adopt).setConfirmedGeneration(store.nextGeneration()).build();
        List<CuratorOp> ops = store.ops();
        ops.add(store.set(ZkPaths.node(req.getName()), next, node.version()));
        ops.add(event("node.removals-confirmed", "node/" + req.getName(), adopt
            ? "joins this cluster; what it then keeps is confirmed separately" : "removes " + String.join(", ", removals)));
        write(ops);
        return ConfirmRemovalResponse.newBuilder().setNode(req.getName()).addAllRemovals(removals).setAdopt(adopt).build();
      });
    });
  }

  // ---- floating addresses ----

  @Override
  public void createAddress(CreateAddressRequest req, StreamObserver<FloatingAddress> out) {
    answer(out, () -> {
      return decide(() -> {
        List<Violation> v = new ArrayList<>();
        org.smbgw.common.Addresses.cidr("address", req.getAddress(), v);
        org.smbgw.common.Addresses.interfaceName("interface", req.getInterface(), v);
        InvalidSpecException.throwIfAny(v);
        if (view.address(req.getAddress()).isPresent()) {
          throw Errors.exists("address " + view.address(req.getAddress()).get().value().getAddress());
        }
        SafeAddresses.refuseUnsafe(view, vipRanges, "address", req.getAddress());
        Map<String, Candidate> nodes = candidates(Map.of());
        String node = req.getNode();
        if (!node.isEmpty()) {
          Candidate c = Optional.ofNullable(nodes.get(node)).orElseThrow(() -> Errors.notFound("node '" + req.getNode() + "'"));
          if (c.maintenance() || !c.connected()) {
            throw Errors.precondition("node: " + node + " cannot take an address: it is "
                + (c.maintenance() ? "in maintenance" : "not connected"));
          }
        } else {
          Map<String, Long> held = new HashMap<>();
          view.addresses().values().forEach(a -> held.merge(a.value().getNode(), 1L, Long::sum));
          node = nodes.values().stream().filter(c -> c.connected() && !c.maintenance())
              .min(java.util.Comparator.comparing((Candidate c) -> held.getOrDefault(c.name(), 0L)).thenComparing(Candidate::name))
              .map(Candidate::name).orElse("");
        }
        AddressRecord a = AddressRecord.newBuilder().setAddress(req.getAddress()).setInterface(req.getInterface())
            .setNode(node).setEpoch(term().epoch()).build();
        List<CuratorOp> ops = store.ops();
        ops.add(store.create(ZkPaths.address(req.getAddress()), a));
        ops.add(event("address.created", "address/" + req.getAddress(), node.isEmpty() ? "no node can take it yet" : "on " + node));
        write(ops);
        return Views.address(a, view);
      });
    });
  }

  @Override
  public void deleteAddress(DeleteAddressRequest req, StreamObserver<DeleteAddressResponse> out) {
    answer(out, () -> {
      return decide(() -> {
        Tracked<AddressRecord> a = view.address(req.getAddress())
            .orElseThrow(() -> Errors.notFound("address " + req.getAddress()));
        List<String> users = view.shares().values().stream().map(Versioned::value)
            .filter(s -> org.smbgw.common.Addresses.same(s.getAddress(), req.getAddress())).map(ShareSpec::getName).sorted().toList();
        if (!users.isEmpty()) {
          throw Errors.precondition("address " + a.value().getAddress() + " is used by share(s) " + String.join(", ", users)
              + "; change or delete them first");
        }
        List<CuratorOp> ops = store.ops();
        ops.add(store.delete(ZkPaths.address(req.getAddress()), a.version()));
        ops.add(event("address.deleted", "address/" + a.value().getAddress(), "released"));
        write(ops);
        return DeleteAddressResponse.newBuilder().setAddress(a.value().getAddress()).build();
      });
    });
  }

  @Override
  public void listAddresses(ListAddressesRequest req, StreamObserver<ListAddressesResponse> out) {
    answer(out, () -> {
      ListAddressesResponse.Builder b = ListAddressesResponse.newBuilder();
      view.addresses().values().stream().map(Tracked::value).sorted(java.util.Comparator.comparing(AddressRecord::getAddress))
          .forEach(a -> b.addAddresses(Views.address(a, view)));
      return b.build();
    });
  }

  @Override
  public void moveAddress(MoveAddressRequest req, StreamObserver<FloatingAddress> out) {
    answer(out, () -> {
      return decide(() -> {
        Tracked<AddressRecord> a = view.address(req.getAddress())
            .orElseThrow(() -> Errors.notFound("address " + req.getAddress()));
        Candidate target = Optional.ofNullable(candidates(Map.of()).get(req.getNode()))
            .orElseThrow(() -> Errors.notFound("node '" + req.getNode() + "'"));
        return moveAddressTo(a, target, "vip move");
      });
    });
  }

  /** A planned move: the holder releases first; the leader's address duties finish it. */
  private FloatingAddress moveAddressTo(Tracked<AddressRecord> a, Candidate target, String why) throws Exception {
    AddressRecord r = a.value();
    if (r.getNode().equals(target.name()) || r.getMovingTo().equals(target.name())) {
      return Views.address(r, view);
    }
    if (target.maintenance() || !target.connected()) {
      throw Errors.precondition("node: " + target.name() + " cannot take address " + r.getAddress() + ": it is "
          + (target.maintenance() ? "in maintenance" : "not connected"));
    }
    List<ShareSpec> bound = view.shares().values().stream().map(Versioned::value)
        .filter(s -> org.smbgw.common.Addresses.same(s.getAddress(), r.getAddress())).toList();
    AddressBinding binding = new AddressBinding(view, store, vipRanges);
    for (ShareSpec s : bound) {
      String local = binding.nodeLocal(s);
      if (local != null) {
        throw Errors.precondition("address " + r.getAddress() + " cannot move: share '" + s.getName() + "' " + local);
      }
    }
    if (!bound.isEmpty()) {
      Placer.Result res = placer.place(bound, Map.of(), List.of(target));
      List<String> unfit = bound.stream().map(ShareSpec::getName).filter(n -> !res.placed().containsKey(n)).toList();
      if (!unfit.isEmpty()) {
        throw Errors.precondition("address " + r.getAddress() + " cannot move to " + target.name() + ": share '" + unfit.get(0)
            + "' " + res.unplaceable().get(unfit.get(0)));
      }
    }
    String from = r.getNode().isEmpty() ? r.getReleasingFrom() : r.getNode();
    AddressRecord next = r.toBuilder().setNode("").setReleasingFrom(from).setMovingTo(target.name())
        .setEpoch(term().epoch()).build();
    List<CuratorOp> ops = store.ops();
    ops.add(store.set(ZkPaths.address(r.getAddress()), next, a.version()));
    ops.add(event("address.moving", "address/" + r.getAddress(), "from " + (from.isEmpty() ? "nowhere" : from) + " to "
        + target.name() + " with " + bound.size() + " share(s) (" + why + ")"));
    write(ops);
    return Views.address(next, view);
  }

  // ---- users ----

  @Override
  public void putUser(PutUserRequest req, StreamObserver<User> out) {
    answer(out, () -> {
      return decide(() -> {
        List<Violation> v = new ArrayList<>();
        Names.userName("spec.name", req.getSpec().getName(), v);
        NtHash.validate("spec.ntHash", req.getSpec().getNtHash(), v);
        InvalidSpecException.throwIfAny(v);
        UserSpec spec = req.getSpec().toBuilder().setNtHash(NtHash.canonical(req.getSpec().getNtHash())).build();
        Versioned<UserSpec> existing = view.users().get(spec.getName());
        if (existing != null && req.getCreateOnly()) {
          throw Errors.exists("user '" + spec.getName() + "'");
        }
        if (existing == null && req.getUpdateOnly()) {
          throw Errors.notFound("user '" + spec.getName() + "'");
        }
        List<CuratorOp> ops = store.ops();
        ops.add(existing == null ? store.create(ZkPaths.user(spec.getName()), spec)
            : store.set(ZkPaths.user(spec.getName()), spec, existing.version()));
        if (existing == null) {
          Removals.forget(view, store, "user/" + spec.getName(), ops);
        }
        ops.add(event(existing == null ? "user.added" : "user.password", "user/" + spec.getName(),
            existing == null ? "added" : "password changed"));
        write(ops);
        return User.newBuilder().setName(spec.getName()).build();
      });
    });
  }

  @Override
  public void deleteUser(DeleteUserRequest req, StreamObserver<DeleteUserResponse> out) {
    answer(out, () -> {
      return decide(() -> {
        Versioned<UserSpec> existing = Optional.ofNullable(view.users().get(req.getName()))
            .orElseThrow(() -> Errors.notFound("user '" + req.getName() + "'"));
        List<CuratorOp> ops = store.ops();
        ops.add(store.delete(ZkPaths.user(req.getName()), existing.version()));
        Removals.record(view, store, "user/" + req.getName(), ops);
        ops.add(event("user.deleted", "user/" + req.getName(), "deleted"));
        write(ops);
        return DeleteUserResponse.newBuilder().setName(req.getName()).build();
      });
    });
  }

  @Override
  public void listUsers(ListUsersRequest req, StreamObserver<ListUsersResponse> out) {
    answer(out, () -> {
      ListUsersResponse.Builder b = ListUsersResponse.newBuilder();
      new TreeMap<>(view.users()).keySet().forEach(n -> b.addUsers(User.newBuilder().setName(n)));
      return b.build();
    });
  }

  // ---- apply ----

  @Override
  public void apply(ApplyRequest req, StreamObserver<ApplyResponse> out) {
    answer(out, () -> {
      return decide(() -> {
        return new Applier(view, store, placer, this::write, this::event, vipRanges).apply(req);
      });
    });
  }

  @Override
  public void shareStats(ShareStatsRequest req, StreamObserver<ShareStatsResponse> out) {
    answer(out, () -> {
      ShareSpec spec = view.share(req.getName()).orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'")).value();
      Share share = Views.share(spec, view.placement(spec.getName()).orElse(""), view);
      ShareStatsResponse.Builder b = ShareStatsResponse.newBuilder().setName(spec.getName()).setNode(share.getNode())
          .addAllSamples(history.samples(spec.getName(),
              req.getSinceSeconds() == 0 ? null : java.time.Duration.ofSeconds(req.getSinceSeconds())));
      if (share.hasStatus()) {
        b.setCurrent(share.getStatus());
      }
      return b.build();
    });
  }

  // ---- events ----

  /** Live events a follower may fall behind by before it is dropped. */
  static final int EVENTS_MAX_BEHIND = 1000;

  @Override
  public void watchEvents(WatchEventsRequest req, StreamObserver<Event> out) {
    java.util.concurrent.atomic.AtomicReference<java.util.function.Consumer<Event>> listener =
        new java.util.concurrent.atomic.AtomicReference<>();
    EventFeed feed = new EventFeed((ServerCallStreamObserver<Event>) out, req.getAfterSeq(), EVENTS_MAX_BEHIND,
        () -> {
          java.util.function.Consumer<Event> l = listener.getAndSet(null);
          if (l != null) {
            view.removeEventListener(l);
          }
        });
    if (req.getFollow()) {
      // Registered before the backlog is replayed; the feed's sequence keeps order and drops
      // nothing and nothing twice.
      listener.set(feed::offer);
      view.onEvent(listener.get());
    }
    feed.backlog(view.events().tailMap(req.getAfterSeq(), false).values());
    if (!req.getFollow()) {
      feed.finish();
    }
  }

  // ---- status ----

  @Override
  public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
    answer(out, () -> {
      StatusResponse.Builder b = StatusResponse.newBuilder()
          .setLeader(leadership.leaderId().orElse("")).setEpoch(view.epoch())
          .setNodes(view.nodes().size()).setNodesConnected(view.live().size())
          .setShares(view.shares().size())
          .setSharesUnplaced((int) view.shares().values().stream()
              .filter(s -> view.placement(s.value().getName()).isEmpty()).count())
          .setSharesActive((int) view.shares().values().stream()
              .filter(s -> Views.share(s.value(), view.placement(s.value().getName()).orElse(""), view)
                  .getStatus().getState() == ShareState.SHARE_STATE_ACTIVE).count());
      try {
        store.zk().getChildren().forPath(ZkPaths.MEMBERS).stream().sorted().forEach(b::addCoordinators);
      } catch (Exception e) {
        // members are informational
      }
      return b.build();
    });
  }
}
