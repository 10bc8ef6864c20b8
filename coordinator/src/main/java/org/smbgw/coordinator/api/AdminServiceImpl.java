package org.smbgw.coordinator.api;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.smbgw.coordinator.decide.AddressDecisions;
import org.smbgw.coordinator.decide.ApplyDecision;
import org.smbgw.coordinator.decide.Errors;
import org.smbgw.coordinator.decide.NodeDecisions;
import org.smbgw.coordinator.decide.ShareDecisions;
import org.smbgw.coordinator.decide.Snapshot;
import org.smbgw.coordinator.decide.UserDecisions;
import org.smbgw.coordinator.decide.Views;
import org.smbgw.coordinator.election.Leadership;
import org.smbgw.coordinator.election.Term;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.StateStore;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.coordinator.stats.ShareHistory;
import org.smbgw.coordinator.write.ChangeWriter;
import org.smbgw.proto.v1.*;

/**
 * The admin API as the leader serves it (the forwarding interceptor sends followers' calls here):
 * a thin adapter. A mutation is a decision of {@code org.smbgw.coordinator.decide}, made and
 * written by the {@link ChangeWriter}; a read answers from one {@link Snapshot}.
 */
public final class AdminServiceImpl extends AdminServiceGrpc.AdminServiceImplBase {
  private final ClusterView view;
  private final StateStore store;
  private final Leadership leadership;
  private final ChangeWriter writer;
  private final ShareHistory history;
  private final List<String> vipRanges;

  /** @param vipRanges networks floating addresses must lie in (empty: any the other rules allow) */
  public AdminServiceImpl(ClusterView view, StateStore store, Leadership leadership, ChangeWriter writer,
      ShareHistory history, List<String> vipRanges) {
    this.view = view;
    this.store = store;
    this.leadership = leadership;
    this.writer = writer;
    this.history = history;
    this.vipRanges = List.copyOf(vipRanges);
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

  /** Decides and writes in this replica's term, in turn with the other admin calls; the reply is the decision's. */
  private <T> void decide(StreamObserver<T> out, ChangeWriter.Decision<T> decision) {
    io.grpc.Deadline deadline = io.grpc.Context.current().getDeadline();
    Duration wait = deadline == null ? TURN_WAIT
        : Duration.ofNanos(Math.max(0, Math.min(TURN_WAIT.toNanos(), deadline.timeRemaining(TimeUnit.NANOSECONDS))));
    io.grpc.Context call = io.grpc.Context.current();
    answer(out, () -> writer.serial(term(), wait, (s, c) -> {
      if (call.isCancelled()) { // its caller gave up while it waited: decide nothing it would not hear of
        throw Status.CANCELLED.withDescription("the caller gave up before its turn").asRuntimeException();
      }
      return decision.decide(s, c);
    }).reply());
  }

  /** The longest a mutation waits for the ones before it (less when its caller's deadline is nearer). */
  private static final Duration TURN_WAIT = Duration.ofSeconds(30);

  private Term term() {
    return leadership.term().orElseThrow(() -> Status.UNAVAILABLE
        .withDescription("this coordinator is not the leader and no leader is known yet").asRuntimeException());
  }

  // ---- shares ----

  @Override
  public void createShare(CreateShareRequest req, StreamObserver<Share> out) {
    decide(out, (s, c) -> ShareDecisions.create(s, c, vipRanges, req));
  }

  @Override
  public void updateShare(UpdateShareRequest req, StreamObserver<Share> out) {
    decide(out, (s, c) -> ShareDecisions.update(s, c, vipRanges, req));
  }

  @Override
  public void deleteShare(DeleteShareRequest req, StreamObserver<DeleteShareResponse> out) {
    decide(out, (s, c) -> ShareDecisions.delete(s, c, vipRanges, req));
  }

  @Override
  public void moveShare(MoveShareRequest req, StreamObserver<Share> out) {
    decide(out, (s, c) -> ShareDecisions.move(s, c, req));
  }

  @Override
  public void getShare(GetShareRequest req, StreamObserver<Share> out) {
    answer(out, () -> {
      Snapshot s = Snapshot.of(view);
      ShareSpec spec = s.share(req.getName()).orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'")).value();
      return Views.share(spec, s.placement(spec.getName()).orElse(""), s);
    });
  }

  @Override
  public void listShares(ListSharesRequest req, StreamObserver<ListSharesResponse> out) {
    answer(out, () -> {
      Snapshot s = Snapshot.of(view);
      ListSharesResponse.Builder b = ListSharesResponse.newBuilder();
      s.shares().values().stream().map(Versioned::value).sorted(Comparator.comparing(ShareSpec::getName))
          .forEach(x -> b.addShares(Views.share(x, s.placement(x.getName()).orElse(""), s)));
      return b.build();
    });
  }

  @Override
  public void shareStats(ShareStatsRequest req, StreamObserver<ShareStatsResponse> out) {
    answer(out, () -> {
      Snapshot s = Snapshot.of(view);
      ShareSpec spec = s.share(req.getName()).orElseThrow(() -> Errors.notFound("share '" + req.getName() + "'")).value();
      Share share = Views.share(spec, s.placement(spec.getName()).orElse(""), s);
      ShareStatsResponse.Builder b = ShareStatsResponse.newBuilder().setName(spec.getName()).setNode(share.getNode())
          .addAllSamples(history.samples(spec.getName(),
              req.getSinceSeconds() == 0 ? null : Duration.ofSeconds(req.getSinceSeconds())));
      if (share.hasStatus()) {
        b.setCurrent(share.getStatus());
      }
      return b.build();
    });
  }

  // ---- nodes ----

  @Override
  public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
    answer(out, () -> {
      Snapshot s = Snapshot.of(view);
      ListNodesResponse.Builder b = ListNodesResponse.newBuilder();
      s.nodes().values().forEach(v -> b.addNodes(Views.node(v.value(), s)));
      return b.build();
    });
  }

  @Override
  public void drainNode(DrainNodeRequest req, StreamObserver<DrainNodeResponse> out) {
    decide(out, (s, c) -> NodeDecisions.drain(s, c, req));
  }

  @Override
  public void undrainNode(UndrainNodeRequest req, StreamObserver<Node> out) {
    decide(out, (s, c) -> NodeDecisions.undrain(s, req));
  }

  @Override
  public void confirmRemoval(ConfirmRemovalRequest req, StreamObserver<ConfirmRemovalResponse> out) {
    decide(out, (s, c) -> NodeDecisions.confirmRemoval(s, req));
  }

  // ---- floating addresses ----

  @Override
  public void createAddress(CreateAddressRequest req, StreamObserver<FloatingAddress> out) {
    decide(out, (s, c) -> AddressDecisions.create(s, c, vipRanges, req));
  }

  @Override
  public void deleteAddress(DeleteAddressRequest req, StreamObserver<DeleteAddressResponse> out) {
    decide(out, (s, c) -> AddressDecisions.delete(s, req));
  }

  @Override
  public void moveAddress(MoveAddressRequest req, StreamObserver<FloatingAddress> out) {
    decide(out, (s, c) -> AddressDecisions.move(s, c, req));
  }

  @Override
  public void listAddresses(ListAddressesRequest req, StreamObserver<ListAddressesResponse> out) {
    answer(out, () -> {
      Snapshot s = Snapshot.of(view);
      ListAddressesResponse.Builder b = ListAddressesResponse.newBuilder();
      s.addresses().values().stream().map(Tracked::value).sorted(Comparator.comparing(AddressRecord::getAddress))
          .forEach(a -> b.addAddresses(Views.address(a, s)));
      return b.build();
    });
  }

  // ---- users ----

  @Override
  public void putUser(PutUserRequest req, StreamObserver<User> out) {
    decide(out, (s, c) -> UserDecisions.put(s, req));
  }

  @Override
  public void deleteUser(DeleteUserRequest req, StreamObserver<DeleteUserResponse> out) {
    decide(out, (s, c) -> UserDecisions.delete(s, req));
  }

  @Override
  public void listUsers(ListUsersRequest req, StreamObserver<ListUsersResponse> out) {
    answer(out, () -> {
      ListUsersResponse.Builder b = ListUsersResponse.newBuilder();
      Snapshot.of(view).users().keySet().forEach(n -> b.addUsers(User.newBuilder().setName(n)));
      return b.build();
    });
  }

  // ---- tokens ----

  /** Who makes this call, for the records a change writes. */
  private static String by() {
    return org.smbgw.coordinator.auth.TokenAuth.caller().map(c -> "token " + c.token()).orElse("unknown");
  }

  @Override
  public void createToken(CreateTokenRequest req, StreamObserver<CreateTokenResponse> out) {
    String by = by();
    decide(out, (s, c) -> org.smbgw.coordinator.decide.TokenDecisions.create(s, c, req, org.smbgw.common.auth.Tokens::mint,
        by));
  }

  @Override
  public void listTokens(ListTokensRequest req, StreamObserver<ListTokensResponse> out) {
    answer(out, () -> {
      ListTokensResponse.Builder b = ListTokensResponse.newBuilder();
      Snapshot.of(view).tokens().values().forEach(t -> b.addTokens(t.value().getToken()));
      return b.build();
    });
  }

  @Override
  public void revokeToken(RevokeTokenRequest req, StreamObserver<RevokeTokenResponse> out) {
    String by = by();
    decide(out, (s, c) -> org.smbgw.coordinator.decide.TokenDecisions.revoke(s, req, by));
  }

  @Override
  public void listAudit(ListAuditRequest req, StreamObserver<ListAuditResponse> out) {
    answer(out, () -> org.smbgw.coordinator.auth.AuditTrail.newest(view.audit(), req));
  }

  // ---- apply ----

  @Override
  public void apply(ApplyRequest req, StreamObserver<ApplyResponse> out) {
    decide(out, (s, c) -> ApplyDecision.apply(s, c, vipRanges, req));
  }

  // ---- events ----

  /** Live events a follower may fall behind by before it is dropped. */
  static final int EVENTS_MAX_BEHIND = 1000;

  @Override
  public void watchEvents(WatchEventsRequest req, StreamObserver<Event> out) {
    EventFeed.watch(view, req, (ServerCallStreamObserver<Event>) out, EVENTS_MAX_BEHIND);
  }

  // ---- status ----

  @Override
  public void status(StatusRequest req, StreamObserver<StatusResponse> out) {
    answer(out, () -> {
      List<String> members = List.of();
      try {
        members = store.zk().getChildren().forPath(ZkPaths.MEMBERS);
      } catch (Exception e) {
        // members are informational
      }
      return Views.status(Snapshot.of(view), leadership.leaderId().orElse(""), view.epoch(), members);
    });
  }
}
