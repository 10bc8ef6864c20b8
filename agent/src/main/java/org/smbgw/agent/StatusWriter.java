package org.smbgw.agent;

import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.smbgw.agent.reconcile.DatasetIndex;
import org.smbgw.agent.reconcile.Reconciler.PassReport;
import org.smbgw.agent.samba.IncludeRenderer;
import org.smbgw.agent.zfs.Dataset;
import org.smbgw.proto.v1.NodeObservedState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.ShareState;
import org.smbgw.proto.v1.ShareStatus;
import org.smbgw.proto.v1.UserStatus;

/**
 * Turns each pass into the node's observed state and keeps the newest one in memory and in
 * {@code status.json} (readable by people and scripts; the coordinator receives the same message).
 */
public final class StatusWriter implements Consumer<PassReport> {
  private final Path file;
  private final Clock clock;
  private volatile NodeObservedState latest = NodeObservedState.getDefaultInstance();

  public StatusWriter(Path file, Clock clock) {
    this.file = file;
    this.clock = clock;
  }

  public NodeObservedState latest() {
    return latest;
  }

  @Override
  public void accept(PassReport r) {
    NodeObservedState s = build(r);
    latest = s;
    try {
      Files.createDirectories(file.getParent());
      Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(tmp, JsonFormat.printer().print(s) + "\n", StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private NodeObservedState build(PassReport r) {
    Map<String, String> errors = r.outcome().errors();
    Set<String> published = IncludeRenderer.sections(r.observed().include()).keySet();
    DatasetIndex index = new DatasetIndex(r.observed().datasets());
    NodeObservedState.Builder b = NodeObservedState.newBuilder().setNode(r.desired().getNode())
        .setObservedAtMillis(clock.millis());
    boolean converged = r.plan().isEmpty() && errors.isEmpty();
    if (converged) {
      b.setAppliedGeneration(r.desired().getGeneration());
    }
    for (ShareSpec spec : r.desired().getSharesList()) {
      ShareStatus.Builder st = ShareStatus.newBuilder().setName(spec.getName());
      String error = errors.get("share/" + spec.getName());
      boolean live = published.contains(spec.getName());
      st.setState(live ? ShareState.SHARE_STATE_ACTIVE : ShareState.SHARE_STATE_PENDING);
      if (error == null && r.plan().isEmpty()) {
        st.setAppliedGeneration(r.desired().getGeneration());
      }
      if (error != null) {
        st.addErrors(error);
      }
      if (spec.getStorage().hasZfs()) {
        index.find(spec.getStorage().getZfs().getParent(), spec.getName()).ifPresent(d -> usage(st, d));
      } else {
        st.setPath(spec.getStorage().getDirectory().getPath());
      }
      b.addShares(st);
    }
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
    return b.build();
  }

  private static void usage(ShareStatus.Builder st, Dataset d) {
    st.setDataset(d.name()).setPath(d.mountpoint()).setUsedBytes(d.used())
        .setQuotaBytes(d.quota()).setAvailableBytes(d.available());
  }
}
