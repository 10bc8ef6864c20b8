package org.smbgw.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.proto.v1.StatusRequest;
import org.smbgw.proto.v1.StatusResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw status}: the cluster at a glance. */
@Command(name = "status", description = "Leader, epoch, coordinators, nodes and shares at a glance.")
final class StatusCommand implements Callable<Integer> {
  @ParentCommand
  Smbgw root;
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() {
    return root.show(spec, admin -> admin.status(StatusRequest.getDefaultInstance()), List.of("WHAT", "VALUE"),
        (StatusResponse s) -> List.of(
            List.of("leader", s.getLeader().isEmpty() ? "(none)" : s.getLeader()),
            List.of("epoch", Long.toString(s.getEpoch())),
            List.of("coordinators", String.join(" ", s.getCoordinatorsList())),
            List.of("nodes", s.getNodesConnected() + " connected of " + s.getNodes()),
            List.of("shares", s.getSharesActive() + " active of " + s.getShares()
                + (s.getSharesUnplaced() > 0 ? ", " + s.getSharesUnplaced() + " unplaced" : ""))));
  }
}
