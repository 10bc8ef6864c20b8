package org.smbgw.agent.reconcile;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;

/**
 * When a pass may plan on the last observation instead of a new one. Pure.
 *
 * <p>A share failed over to this node is on the clients' clock, and a whole observation (zfs,
 * two pdbedit, net, smbstatus: five programs) took 0.3 to 0.56 s of the failover lab's move →
 * address up. When the last pass found nothing to do, what it saw is still the node as smbgw left
 * it, so a state that only adds shares on directory storage (what a failover or a create brings)
 * can be planned on that sight, with what is cheap to read read again (see
 * {@link Observer#refresh}). Such a pass only adds: it runs no removal (retire, purge, account
 * deletion), which must be judged on a fresh look, and a full pass follows at once and repairs
 * anything changed by hand meanwhile.
 *
 * <p>Not for shares on ZFS: whether their dataset exists, where it is mounted and its quota are
 * what only {@code zfs get} tells.
 */
public final class QuickLook {
  /** A sight older than this is not planned on: the resync interval's default is 30 s. */
  static final Duration MAX_AGE = Duration.ofSeconds(60);

  private QuickLook() {}

  /**
   * The last full pass that found nothing to do.
   *
   * @param observedAtNanos when its observation began, on the reconciler's ticker
   */
  public record Base(NodeDesiredState desired, Observed observed, long observedAtNanos) {}

  /**
   * The shares {@code next} adds to {@code base}'s state, when all of them may be planned on the
   * base's observation; empty when a full observation is needed (no base, a base older than
   * {@link #MAX_AGE}, nothing added, or an added share on ZFS).
   */
  public static List<String> additions(Base base, NodeDesiredState next, long nowNanos) {
    if (base == null || nowNanos - base.observedAtNanos() > MAX_AGE.toNanos()) {
      return List.of();
    }
    Set<String> before = base.desired().getSharesList().stream().map(ShareSpec::getName).collect(Collectors.toSet());
    List<ShareSpec> added = next.getSharesList().stream().filter(s -> !before.contains(s.getName())).toList();
    if (added.isEmpty() || !added.stream().allMatch(s -> s.getStorage().hasDirectory())) {
      return List.of();
    }
    return added.stream().map(ShareSpec::getName).sorted().toList();
  }
}
