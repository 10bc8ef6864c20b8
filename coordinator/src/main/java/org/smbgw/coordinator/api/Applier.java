package org.smbgw.coordinator.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.smbgw.common.DesiredStateValidator;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.NtHash;
import org.smbgw.common.ShareConflicts;
import org.smbgw.coordinator.placement.Candidate;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Removals;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.StoreException;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.ApplyResponse;
import org.smbgw.proto.v1.ApplyResult;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.PendingPurge;
import org.smbgw.proto.v1.Placement;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * {@code smbgw apply} and {@code smbgw plan}: validates every resource and places every new share
 * before writing anything, then writes all of it in one fenced transaction: all or nothing.
 */
final class Applier {
  private final ClusterView view;
  private final StateStore store;
  private final Placer placer;
  private final Writer writer;
  private final Events events;

  private final List<String> vipRanges;

  /** Writes the plan's operations in one fenced transaction (the admin API's writer). */
  @FunctionalInterface
  interface Writer {
    void write(List<CuratorOp> ops) throws StoreException;
  }

  /** Makes an event of the running decision (its term's epoch, its id). */
  @FunctionalInterface
  interface Events {
    CuratorOp event(String kind, String subject, String message) throws Exception;
  }

  Applier(ClusterView view, StateStore store, Placer placer, Writer writer, Events events, List<String> vipRanges) {
    this.vipRanges = vipRanges;
    this.view = view;
    this.store = store;
    this.placer = placer;
    this.writer = writer;
    this.events = events;
  }

  private CuratorOp event(String kind, String subject, String message) throws Exception {
    return events.event(kind, subject, message);
  }

  ApplyResponse apply(ApplyRequest req) throws Exception {
    NodeDesiredState asOne = NodeDesiredState.newBuilder().addAllShares(req.getSharesList())
        .addAllUsers(req.getUsersList()).addAllPurgeShares(req.getPurgesList()).build();
    InvalidSpecException.throwIfAny(DesiredStateValidator.anyNode().validate(asOne));

    List<ShareSpec> all = new ArrayList<>();
    Map<String, String> current = new HashMap<>();
    Map<String, ShareSpec> incoming = new HashMap<>();
    req.getSharesList().forEach(s -> incoming.put(ZkPaths.shareKey(s.getName()), s));
    java.util.Set<String> purged = new java.util.HashSet<>(req.getPurgesList().stream().map(ZkPaths::shareKey).toList());
    view.shares().forEach((key, v) -> {
      if (!purged.contains(key)) {
        all.add(incoming.getOrDefault(key, v.value()));
        view.placement(v.value().getName()).ifPresent(n -> current.put(incoming.getOrDefault(key, v.value()).getName(), n));
      }
    });
    req.getSharesList().stream().filter(s -> !view.shares().containsKey(ZkPaths.shareKey(s.getName()))).forEach(all::add);
    // Shares this apply leaves alone: an incoming one must not clash with any of them (the request's
    // own shares were checked against each other above).
    List<ShareSpec> untouched = view.shares().entrySet().stream()
        .filter(e -> !incoming.containsKey(e.getKey()) && !purged.contains(e.getKey()))
        .map(e -> e.getValue().value()).toList();
    List<org.smbgw.common.Violation> conflicts = new ArrayList<>();
    req.getSharesList().forEach(s -> conflicts.addAll(
        ShareConflicts.among("Share/" + s.getName() + ": spec", s, untouched, "existing share")));
    InvalidSpecException.throwIfAny(conflicts);
    for (ShareSpec s : req.getSharesList()) {
      AdminServiceImpl.refuseRootsGroupAsAdmins(view, "Share/" + s.getName() + ": spec", s);
    }
    List<Candidate> nodes = new ArrayList<>();
    view.nodes().values().forEach(v -> {
      LiveNode live = view.live().get(v.value().getName());
      nodes.add(new Candidate(v.value().getName(), live != null, v.value().getMaintenance(),
          live == null ? List.of() : live.getInventory().getStoragesList()));
    });
    AddressBinding.pin(view, all, current);
    Placer.Result placed = placer.place(all, current, nodes);
    AddressBinding binding = new AddressBinding(view, store, vipRanges);

    ApplyResponse.Builder results = ApplyResponse.newBuilder();
    List<CuratorOp> ops = store.ops();
    for (ShareSpec s : req.getSharesList()) {
      String node = placed.placed().get(s.getName());
      if (node == null) {
        throw Errors.precondition("Share/" + s.getName() + " fits nowhere: " + placed.unplaceable().get(s.getName()));
      }
      Versioned<ShareSpec> existing = view.share(s.getName()).orElse(null);
      Versioned<Placement> p = view.placements().get(ZkPaths.shareKey(s.getName()));
      binding.bind(s, node, ops, "Share/" + s.getName() + ": spec");
      String action;
      if (existing == null) {
        action = "created";
        if (view.purges().containsKey(ZkPaths.shareKey(s.getName()))) {
          throw Errors.precondition("Share/" + s.getName() + ": the purge of an earlier share of that name is still pending");
        }
        ops.add(store.create(ZkPaths.share(s.getName()), s));
        Removals.forget(view, store, "share/" + s.getName(), ops);
      } else if (!existing.value().getName().equals(s.getName())) {
        throw Errors.precondition("Share/" + s.getName() + " clashes with existing share '" + existing.value().getName() + "'");
      } else if (existing.value().equals(s)) {
        action = "unchanged";
      } else {
        action = "updated";
        ops.add(store.set(ZkPaths.share(s.getName()), s, existing.version()));
      }
      if (p == null || !p.value().getNode().equals(node)) {
        Placement np = Placement.newBuilder().setShare(s.getName()).setNode(node).setEpoch(view.epoch()).build();
        ops.add(p == null ? store.create(ZkPaths.placement(s.getName()), np) : store.set(ZkPaths.placement(s.getName()), np, p.version()));
      }
      results.addResults(ApplyResult.newBuilder().setKind("Share").setName(s.getName()).setAction(action).setNode(node));
      if (!action.equals("unchanged")) {
        ops.add(event("share." + action, "share/" + s.getName(), "on " + node + " (apply)"));
      }
    }
    for (UserSpec u : req.getUsersList()) {
      UserSpec canonical = u.toBuilder().setNtHash(NtHash.canonical(u.getNtHash())).build();
      Versioned<UserSpec> existing = view.users().get(u.getName());
      String action = existing == null ? "created" : existing.value().equals(canonical) ? "unchanged" : "updated";
      if (existing == null) {
        ops.add(store.create(ZkPaths.user(u.getName()), canonical));
        Removals.forget(view, store, "user/" + u.getName(), ops);
      } else if (action.equals("updated")) {
        ops.add(store.set(ZkPaths.user(u.getName()), canonical, existing.version()));
      }
      results.addResults(ApplyResult.newBuilder().setKind("User").setName(u.getName()).setAction(action));
      if (!action.equals("unchanged")) {
        ops.add(event(action.equals("created") ? "user.added" : "user.password", "user/" + u.getName(), "(apply)"));
      }
    }
    for (String name : req.getPurgesList()) {
      Versioned<ShareSpec> existing = view.share(name).orElse(null);
      if (existing == null) {
        results.addResults(ApplyResult.newBuilder().setKind("Purge").setName(name).setAction("unchanged"));
        continue;
      }
      Versioned<Placement> p = view.placements().get(ZkPaths.shareKey(name));
      binding.unbindIfLast(existing.value(), new java.util.HashSet<>(req.getPurgesList().stream().map(ZkPaths::shareKey).toList()), ops);
      ops.add(store.delete(ZkPaths.share(name), existing.version()));
      Removals.record(view, store, "share/" + existing.value().getName(), ops);
      if (p != null) {
        ops.add(store.delete(ZkPaths.placement(name), p.version()));
        ops.add(store.create(ZkPaths.purge(name), PendingPurge.newBuilder().setShare(existing.value().getName())
            .setNode(p.value().getNode()).setGeneration(store.nextGeneration()).build()));
      }
      ops.add(event("share.deleted", "share/" + existing.value().getName(), "purge requested (apply)"));
      results.addResults(ApplyResult.newBuilder().setKind("Purge").setName(name).setAction("deleted")
          .setNode(p == null ? "" : p.value().getNode()));
    }
    if (!req.getDryRun() && !ops.isEmpty()) {
      writer.write(ops);
    }
    return results.build();
  }
}
