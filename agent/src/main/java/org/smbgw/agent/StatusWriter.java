package org.smbgw.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.metrics.QuotaAlerts;
import org.smbgw.agent.metrics.ShareIo;
import org.smbgw.agent.reconcile.DatasetIndex;
import org.smbgw.agent.reconcile.Reconciler.PassReport;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.zfs.Dataset;
import org.smbgw.common.AtomicFile;
import org.smbgw.common.Trees;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;
import org.smbgw.proto.v1.StorageFeatures;
import org.smbgw.proto.v1.UserStatus;

/**
 * Turns each pass into the node's observed state and keeps the newest one in memory and in
 * {@code status.json} (readable by people and scripts; the coordinator receives the same message).
 */
public final class StatusWriter implements Consumer<PassReport> {
  private final Path file;
  private final Clock clock;
  private final Consumer<NodeObservedState> changes;
  private final QuotaAlerts alerts;
  private final ShareIo io = new ShareIo(Path.of("/proc"));
  private volatile NodeObservedState latest = NodeObservedState.getDefaultInstance();
  /** Per share, the last remount under it and when (reconcile thread only). */
  private final Map<String, String> remounts = new java.util.HashMap<>();

  /** @param changes told of every new observed state (the coordinator session reports it) */
  public StatusWriter(Path file, Clock clock, Consumer<NodeObservedState> changes, QuotaAlerts alerts) {
    this.file = file;
    this.clock = clock;
    this.changes = changes;
    this.alerts = alerts;
  }

  public NodeObservedState latest() {
    return latest;
  }

  @Override
  public void accept(PassReport r) {
    NodeObservedState s = build(r);
    NodeObservedState previous = latest;
    latest = s;
    if (s.toBuilder().clearObservedAtMillis().build().equals(previous.toBuilder().clearObservedAtMillis().build())) {
      return; // unchanged: a steady node does not rewrite its status file every pass
    }
    changes.accept(s);
    try {
      AtomicFile.replace(file, (Trees.PRETTY_JSON.asString(json(s)) + "\n")
          .getBytes(StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private NodeObservedState build(PassReport r) {
    Map<String, String> errors = r.outcome().errors();
    r.outcome().remounted().forEach((subject, what) ->
        remounts.put(subject.substring("share/".length()), java.time.Instant.now(clock).toString() + ": " + what));
    remounts.keySet().retainAll(r.desired().getSharesList().stream().map(ShareSpec::getName).toList());
    // What this pass published counts at once: a failed-over share's address waits for it, and
    // the next pass, which would observe it, is a whole observation later.
    Set<String> published = IncludeRenderer.sections(r.outcome().served().orElse(r.observed().include())).keySet();
    if (!r.quick() && r.observed().connections() != SmbStatus.Connections.UNKNOWN) {
      // Only a new smbstatus is a sample (a quick pass has the last look's); with none (it
      // failed), every process would count anew next time.
      io.sample(r.observed().connections().sharesByPid());
    }
    DatasetIndex index = new DatasetIndex(r.observed().datasets());
    NodeObservedState.Builder b = NodeObservedState.newBuilder().setNode(r.desired().getNode())
        .setObservedAtMillis(clock.millis());
    boolean converged = r.plan().isEmpty() && errors.isEmpty();
    if (converged) {
      b.setAppliedGeneration(r.desired().getGeneration());
    }
    b.setPassGeneration(r.desired().getGeneration()).addAllPurgedShares(purged(r))
        .setCluster(r.desired().getCluster()).addAllLosses(r.desired().getKeptList());
    for (ShareSpec spec : r.desired().getSharesList()) {
      ShareStatus.Builder st = ShareStatus.newBuilder().setName(spec.getName());
      String error = errors.get("share/" + spec.getName());
      String refused = r.desired().getRefusedMap().get("share/" + spec.getName());
      if (refused != null) {
        st.addErrors("refused, still served as before: " + refused);
      }
      boolean live = published.contains(spec.getName());
      st.setState(live ? ShareState.SHARE_STATE_ACTIVE : ShareState.SHARE_STATE_PENDING);
      if (error == null && r.plan().isEmpty()) {
        st.setAppliedGeneration(r.desired().getGeneration());
      }
      if (error != null) {
        st.addErrors(error);
      }
      if (spec.getStorage().hasZfs()) {
        // A dataset this pass made was not observed yet: its path is what the pass published.
        // Its quota is the one the pass set; usage and features come with the next pass's look.
        Optional<Dataset> seen = index.find(spec.getStorage().getZfs().getParent(), spec.getName());
        if (seen.isPresent()) {
          usage(st, seen.get());
        } else if (live) {
          st.setPath(r.outcome().servedPaths().getOrDefault(spec.getName(), "")).setQuotaBytes(spec.getQuotaBytes());
        }
      } else {
        st.setPath(spec.getStorage().getDirectory().getPath());
      }
      SmbStatus.ShareConnections c = r.observed().connections().shares().get(spec.getName());
      if (c != null) {
        st.setSessions(c.sessions()).setTreeConnects(c.treeConnects()).addAllUsers(c.users());
      }
      st.setOpenFiles(r.observed().connections().openFiles().getOrDefault(st.getPath(), 0));
      st.setRemounted(remounts.getOrDefault(spec.getName(), ""));
      if (!st.getPath().isEmpty()) {
        RootState root = r.observed().roots().get(Path.of(st.getPath()));
        if (root != null && root.exists() && root.problem() == null) {
          StorageFeatures.Builder f = StorageFeatures.newBuilder().setXattrs(root.xattrs());
          String note = r.plan() == null ? null : r.plan().acls().notes().get(spec.getName());
          if (note != null) {
            f.setAclsNote(note);
          } else {
            f.setAcls(root.xattrs() && root.aclRecord() != null);
          }
          st.setFeatures(f);
        }
      }
      long[] bytes = io.totals(spec.getName());
      st.setStorageReadBytes(bytes[0]).setStorageWrittenBytes(bytes[1]);
      if (st.getQuotaBytes() > 0) {
        QuotaAlerts.Standing q = alerts.evaluate(spec.getName(), st.getUsedBytes(), st.getQuotaBytes(),
            spec.hasQuotaWarningPercent() ? spec.getQuotaWarningPercent() : 85,
            spec.hasQuotaCriticalPercent() ? spec.getQuotaCriticalPercent() : 95);
        st.setQuotaLevel(q.level()).setQuotaAlerts(q.alerts());
      }
      b.addShares(st);
    }
    Set<String> declared = new java.util.HashSet<>();
    r.desired().getSharesList().forEach(x -> declared.add(x.getName()));
    r.desired().getRefusedMap().forEach((subject, why) -> {
      if (subject.startsWith("share/") && !declared.contains(subject.substring(6))) {
        b.addShares(ShareStatus.newBuilder().setName(subject.substring(6)).setState(ShareState.SHARE_STATE_PENDING)
            .addErrors("refused: " + why));
      } else if (subject.startsWith("user/")
          && r.desired().getUsersList().stream().noneMatch(u -> u.getName().equals(subject.substring(5)))) {
        b.addUsers(UserStatus.newBuilder().setName(subject.substring(5)).addErrors("refused: " + why));
      } else if (subject.startsWith("purge/")) {
        b.addErrors(subject + " refused: " + why);
      } else if (subject.startsWith("address/")) {
        b.addErrors("a floating address was refused: " + why);
      }
    });
    for (Dataset d : r.observed().datasets().values()) {
      if (d.managed() && d.retired()) {
        ShareStatus.Builder st = ShareStatus.newBuilder().setName(d.share()).setState(ShareState.SHARE_STATE_RETIRED);
        usage(st, d);
        b.addShares(st);
      }
    }
    r.desired().getUsersList().forEach(u -> {
      UserStatus.Builder us = UserStatus.newBuilder().setName(u.getName())
          .setPresent(r.observed().sambaHashes().containsKey(u.getName()));
      String e = errors.get("user/" + u.getName());
      String refused = r.desired().getRefusedMap().get("user/" + u.getName());
      if (refused != null) {
        us.addErrors("refused, kept as before: " + refused);
      }
      if (e != null) {
        us.addErrors(e);
      }
      b.addUsers(us);
    });
    errors.forEach((subject, e) -> {
      if (!subject.startsWith("share/") && !subject.startsWith("user/")) {
        b.addErrors(subject + ": " + e);
      }
    });
    r.sourceProblem().ifPresent(b::addErrors);
    r.observed().connections().sessionKinds().entrySet().stream()
        .sorted(java.util.Comparator.comparing(e -> e.getKey().toString()))
        .forEach(e -> b.addSessionKinds(org.smbgw.proto.v1.SessionKind.newBuilder().setDialect(e.getKey().dialect())
            .setSigning(e.getKey().signing()).setEncryption(e.getKey().encryption()).setSessions(e.getValue())));
    return b.build();
  }

  /**
   * Purges this pass's desired state asked for that its observation, made before its steps ran,
   * found done: no dataset of the share anywhere it looked, and nowhere it could not look. (The pass
   * that destroys a dataset still saw it; the next pass, which follows at once, reports it done.)
   */
  static List<String> purged(PassReport r) {
    if (!r.observed().missingParents().isEmpty() || r.observed().zfsProblem() != null) {
      return List.of(); // a dataset under a missing parent may come back with it; unseen is not gone
    }
    Set<String> left = new java.util.HashSet<>();
    r.observed().datasets().values().stream().filter(Dataset::managed).forEach(d -> left.add(d.share()));
    return r.desired().getPurgeSharesList().stream().filter(name -> !left.contains(name)).sorted().toList();
  }

  /**
   * The observed state as JSON, with protobuf's JSON field names (lowerCamelCase, defaults left
   * out). Written with jackson-jr rather than protobuf's JsonFormat, which would pull Gson and Guava
   * into the agent's memory for one file.
   */
  static Map<String, Object> json(NodeObservedState s) {
    Map<String, Object> o = new LinkedHashMap<>();
    o.put("node", s.getNode());
    if (s.getAppliedGeneration() != 0) {
      o.put("appliedGeneration", Long.toString(s.getAppliedGeneration()));
    }
    o.put("observedAtMillis", Long.toString(s.getObservedAtMillis()));
    o.put("passGeneration", Long.toString(s.getPassGeneration()));
    if (!s.getCluster().isEmpty()) {
      o.put("cluster", s.getCluster());
    }
    putList(o, "losses", s.getLossesList());
    putList(o, "purgedShares", s.getPurgedSharesList());
    List<Object> shares = new ArrayList<>();
    o.put("shares", shares);
    for (ShareStatus st : s.getSharesList()) {
      Map<String, Object> j = new LinkedHashMap<>();
      shares.add(j);
      j.put("name", st.getName());
      j.put("state", st.getState().name());
      if (st.getAppliedGeneration() != 0) {
        j.put("appliedGeneration", Long.toString(st.getAppliedGeneration()));
      }
      if (!st.getDataset().isEmpty()) {
        j.put("dataset", st.getDataset());
      }
      if (!st.getPath().isEmpty()) {
        j.put("path", st.getPath());
      }
      if (!st.getDataset().isEmpty()) {
        j.put("usedBytes", Long.toString(st.getUsedBytes()));
        j.put("quotaBytes", Long.toString(st.getQuotaBytes()));
        j.put("availableBytes", Long.toString(st.getAvailableBytes()));
      }
      putList(j, "errors", st.getErrorsList());
      j.put("quotaLevel", st.getQuotaLevel().name());
      j.put("quotaAlerts", st.getQuotaAlerts());
      if (!st.getRemounted().isEmpty()) {
        j.put("remounted", st.getRemounted());
      }
      if (st.hasFeatures()) {
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("xattrs", st.getFeatures().getXattrs());
        f.put("acls", st.getFeatures().getAcls());
        if (!st.getFeatures().getAclsNote().isEmpty()) {
          f.put("aclsNote", st.getFeatures().getAclsNote());
        }
        j.put("features", f);
      }
      j.put("sessions", st.getSessions());
      j.put("treeConnects", st.getTreeConnects());
      j.put("openFiles", st.getOpenFiles());
      putList(j, "users", st.getUsersList());
    }
    List<Object> users = new ArrayList<>();
    o.put("users", users);
    for (UserStatus u : s.getUsersList()) {
      Map<String, Object> j = new LinkedHashMap<>();
      users.add(j);
      j.put("name", u.getName());
      j.put("present", u.getPresent());
      putList(j, "errors", u.getErrorsList());
    }
    putList(o, "errors", s.getErrorsList());
    return o;
  }

  /** Protobuf's JSON leaves an empty list out. */
  private static void putList(Map<String, Object> o, String name, List<String> items) {
    if (!items.isEmpty()) {
      o.put(name, items);
    }
  }

  private static void usage(ShareStatus.Builder st, Dataset d) {
    st.setDataset(d.name()).setPath(d.mountpoint()).setUsedBytes(d.used())
        .setQuotaBytes(d.quota()).setAvailableBytes(d.available());
  }
}
