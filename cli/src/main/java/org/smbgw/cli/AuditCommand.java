package org.smbgw.cli;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.proto.v1.AuditRecord;
import org.smbgw.proto.v1.ListAuditRequest;
import org.smbgw.proto.v1.ListAuditResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw audit}: who changed what, and which calls were refused (role admin). */
@Command(name = "audit", description = "Show the audit trail, oldest first: every admin call that changed something "
    + "or was refused, who made it, from where, and how it ended.")
final class AuditCommand implements Callable<Integer> {
  @ParentCommand
  Smbgw root;
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;
  @Option(names = "--since", description = "How far back: 90s, 30m, 1h, 2d (default: everything kept).")
  String since;
  @Option(names = "--who", description = "Only calls made with this token.")
  String who;
  @Option(names = "--limit", defaultValue = "1000", description = "At most this many, the newest (1 to 5000; "
      + "default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    ListAuditRequest.Builder req = ListAuditRequest.newBuilder().setLimit(limit);
    if (since != null) {
      req.setSinceMillis(System.currentTimeMillis() - Smbgw.seconds("--since", since) * 1000);
    }
    if (who != null) {
      req.setWho(who);
    }
    return root.show(spec, admin -> admin.listAudit(req.build()), List.of("TIME", "WHO", "FROM", "CALL", "RESULT", "MESSAGE"),
        (ListAuditResponse r) -> r.getRecordsList().stream().map((AuditRecord a) -> List.of(
            Instant.ofEpochMilli(a.getTimeMillis()).toString(), a.getWho(), a.getFrom(), a.getMethod(), a.getResult(),
            a.getMessage())).toList());
  }
}
