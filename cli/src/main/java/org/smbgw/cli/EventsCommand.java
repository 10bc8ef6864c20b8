package org.smbgw.cli;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.HostPort;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.Event;
import org.smbgw.proto.v1.WatchEventsRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw events [--follow]}: one line (or one JSON object) per event. */
@Command(name = "events", description = "Show recent cluster events; --follow keeps streaming new ones.")
final class EventsCommand implements Callable<Integer> {
  @ParentCommand
  Smbgw root;
  @Spec
  picocli.CommandLine.Model.CommandSpec spec;
  @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen, until interrupted.")
  boolean follow;

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    StatusRuntimeException last = null;
    long after = 0;
    try (Coordinators replicas = root.connect()) {
      for (HostPort address : replicas.replicas()) {
        try {
          var admin = AdminServiceGrpc.newBlockingStub(replicas.channel(address));
          if (!follow) {
            admin = admin.withDeadlineAfter(root.timeoutSeconds, TimeUnit.SECONDS);
          }
          // Moving to another replica resumes after the last event printed.
          Iterator<Event> it = admin.watchEvents(WatchEventsRequest.newBuilder().setFollow(follow).setAfterSeq(after).build());
          while (it.hasNext()) {
            Event e = it.next();
            after = e.getSeq();
            if (root.output == Output.Format.json) {
              out.println(Output.compactJson(e));
            } else {
              out.printf("%s  %-15s %-24s %s%n", Instant.ofEpochMilli(e.getTimeMillis()), e.getKind(), e.getSubject(),
                  e.getMessage());
            }
            out.flush();
          }
          return ExitCodes.OK;
        } catch (StatusRuntimeException e) {
          if (e.getStatus().getCode() != Status.Code.UNAVAILABLE) {
            throw e;
          }
          last = Status.UNAVAILABLE.withDescription("cannot reach the coordinator at " + address
              + (after > 0 ? " (after event " + after + ")" : "")).asRuntimeException();
        }
      }
    }
    throw last != null ? last : Status.UNAVAILABLE.withDescription("no coordinator address given").asRuntimeException();
  }
}
