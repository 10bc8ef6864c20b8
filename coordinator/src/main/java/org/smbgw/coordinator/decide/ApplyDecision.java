package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.smbgw.common.DesiredStateValidator;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.NtHash;
import org.smbgw.common.ShareConflicts;
import org.smbgw.common.Violation;
import org.smbgw.coordinator.placement.Placer;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.ApplyRequest;
import org.smbgw.proto.v1.ApplyResponse;
import org.smbgw.proto.v1.ApplyResult;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * {@code smbgw apply} and {@code smbgw plan}: validates every resource and places every new share
 * before writing anything, then writes all of it in one change: all or nothing. Pure.
 */
public final class ApplyDecision {
  private ApplyDecision() {}

  public static Change<ApplyResponse> apply(Snapshot s, Context c, List<String> vipRanges, ApplyRequest req) {
    NodeDesiredState asOne = NodeDesiredState.newBuilder().addAllShares(req.getSharesList())
        .addAllUsers(req.getUsersList()).addAllPurgeShares(req.getPurgesList()).build();
    List<Violation> given = new ArrayList<>(DesiredStateValidator.anyNode().validate(asOne));
    req.getUsersList().stream().filter(u -> u.getRid() != 0).forEach(u -> given.add(new Violation("User/" + u.getName()
        + ": spec.rid", "is given by the coordinators when the user is added; leave it unset")));
    InvalidSpecException.throwIfAny(given);

    Map<String, ShareSpec> incoming = new HashMap<>();
    req.getSharesList().forEach(x -> incoming.put(ZkPaths.shareKey(x.getName()), x));
    Set<String> purged = new HashSet<>(req.getPurgesList().stream().map(ZkPaths::shareKey).toList());
    // Shares this apply leaves alone: an incoming one must not clash with any of them (the
    // request's own shares were checked against each other above).
    List<ShareSpec> untouched = s.shares().entrySet().stream()
        .filter(e -> !incoming.containsKey(e.getKey()) && !purged.contains(e.getKey()))
        .map(e -> e.getValue().value()).toList();
    ShareConflicts.Among left = new ShareConflicts.Among(untouched);
    List<Violation> conflicts = new ArrayList<>();
    req.getSharesList().forEach(x -> conflicts.addAll(
        left.conflicts("Share/" + x.getName() + ": spec", x, "existing share")));
    InvalidSpecException.throwIfAny(conflicts);
    for (ShareSpec x : req.getSharesList()) {
      ShareDecisions.refuseRootsGroupAsAdmins(s, "Share/" + x.getName() + ": spec", x);
    }
    // Every share as it will be (incoming ones replacing theirs), where it is now.
    Map<String, String> current = new HashMap<>();
    for (var e : s.shares().entrySet()) {
      if (!purged.contains(e.getKey())) {
        ShareSpec now = incoming.getOrDefault(e.getKey(), e.getValue().value());
        s.placement(now.getName()).ifPresent(n -> current.put(now.getName(), n));
      }
    }
    Set<String> leaveOut = new HashSet<>(purged);
    leaveOut.addAll(incoming.keySet());
    Placer.Result placed = Placing.placeAll(s, req.getSharesList(), current, leaveOut,
        List.copyOf(Placing.candidates(s, Map.of()).values()));

    Binding binding = new Binding(s, c, vipRanges);
    ApplyResponse.Builder results = ApplyResponse.newBuilder();
    Change.Builder change = new Change.Builder();
    for (ShareSpec x : req.getSharesList()) {
      results.addResults(share(s, c, binding, placed, x, change));
    }
    List<UserSpec> changed = new ArrayList<>();
    for (UserSpec u : req.getUsersList()) {
      Versioned<UserSpec> existing = s.users().get(u.getName());
      // A user keeps its RID; a new one (or one from before RIDs) gets the next below.
      UserSpec canonical = u.toBuilder().setNtHash(NtHash.canonical(u.getNtHash()))
          .setRid(existing == null ? 0 : existing.value().getRid()).build();
      String action = existing == null ? "created" : existing.value().equals(canonical) ? "unchanged" : "updated";
      if (!action.equals("unchanged")) {
        changed.add(canonical);
      }
      results.addResults(ApplyResult.newBuilder().setKind("User").setName(u.getName()).setAction(action));
    }
    for (UserSpec u : Rids.give(s, changed, change)) {
      Versioned<UserSpec> existing = s.users().get(u.getName());
      UserDecisions.write(s, u, existing, change);
      change.event(existing == null ? "user.added" : "user.password", "user/" + u.getName(), "(apply)");
    }
    for (String name : req.getPurgesList()) {
      Versioned<ShareSpec> existing = s.share(name).orElse(null);
      if (existing == null) {
        results.addResults(ApplyResult.newBuilder().setKind("Purge").setName(name).setAction("unchanged"));
        continue;
      }
      String node = ShareDecisions.remove(s, c, vipRanges, existing, purged, true, change).orElse("");
      change.event("share.deleted", "share/" + existing.value().getName(), "purge requested (apply)");
      results.addResults(ApplyResult.newBuilder().setKind("Purge").setName(name).setAction("deleted").setNode(node));
    }
    return change.reply(results.build(), req.getDryRun());
  }

  private static ApplyResult share(Snapshot s, Context c, Binding binding, Placer.Result placed, ShareSpec x,
      Change.Builder change) {
    String node = placed.placed().get(x.getName());
    if (node == null) {
      throw Errors.precondition("Share/" + x.getName() + " fits nowhere: " + placed.unplaceable().get(x.getName()));
    }
    Versioned<ShareSpec> existing = s.share(x.getName()).orElse(null);
    binding.bind(x, node, change, "Share/" + x.getName() + ": spec");
    String action;
    if (existing == null) {
      action = "created";
      if (s.purging(x.getName())) {
        throw Errors.precondition("Share/" + x.getName() + ": the purge of an earlier share of that name is still pending");
      }
      change.add(new Write.Create(ZkPaths.share(x.getName()), x));
      Removals.forget(s, "share/" + x.getName(), change);
    } else if (!existing.value().getName().equals(x.getName())) {
      throw Errors.precondition("Share/" + x.getName() + " clashes with existing share '" + existing.value().getName() + "'");
    } else if (existing.value().equals(x)) {
      action = "unchanged";
    } else {
      action = "updated";
      change.add(new Write.Update(ZkPaths.share(x.getName()), x, existing.version()));
    }
    Placing.placementWrite(s, c, x.getName(), node).ifPresent(change::add);
    if (!action.equals("unchanged")) {
      change.event("share." + action, "share/" + x.getName(), "on " + node + " (apply)");
    }
    return ApplyResult.newBuilder().setKind("Share").setName(x.getName()).setAction(action).setNode(node).build();
  }
}
