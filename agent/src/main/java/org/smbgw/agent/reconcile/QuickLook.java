package org.smbgw.agent.reconcile;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/**
 * When a pass may plan on the last look instead of a new one. Pure.
 *
 * <p>A share failed over to this node is on the clients' clock, and a whole look (zfs, two
 * pdbedit, net, smbstatus: five programs) took 0.3 to 0.56 s of the failover lab's move → address
 * up. When the last full pass found nothing to do and saw everything, what it saw is still the
 * node as smbgw left it. A state that differs from that pass's only by shares on directory storage
 * and accounts it adds (what a failover or a create brings), besides its addresses and intents, is
 * planned on that look with what is cheap to read read again (see {@link Observer#refresh}). So is
 * a state that differs from it only by its addresses and counters ({@link #onlyCountersDiffer}). A
 * change to anything already there, or a removal, waits for a whole look. The full pass follows
 * {@link Reconciler#AFTER_QUICK} later and repairs anything changed by hand meanwhile.
 *
 * <p>Not for shares on ZFS: whether their dataset exists, where it is mounted and its quota are
 * what only {@code zfs get} tells.
 */
public final class QuickLook {
  /** A look older than this is not planned on: the resync interval's default is 30 s. */
  static final Duration MAX_AGE = Duration.ofSeconds(60);

  private QuickLook() {}

  /**
   * The last full pass that found nothing to do and saw everything.
   *
   * @param observedAtNanos when its look began, on the reconciler's ticker
   */
  public record Base(NodeDesiredState desired, Observed observed, long observedAtNanos) {
    /** Such a base from a full pass, or null when it changed something or could not see everything. */
    public static Base of(NodeDesiredState desired, Observed observed, Plan plan, long observedAtNanos) {
      boolean sawAll = observed.zfsProblem() == null && observed.ids().problem() == null;
      return plan.isEmpty() && sawAll ? new Base(desired, observed, observedAtNanos) : null;
    }

    /**
     * The base the pass after this one judges by, once a pass has planned {@code d}: a whole
     * look's own base ({@link #of}) when it looked; this base again, now for {@code d}, when the
     * pass planned on it a state in which {@link #onlyCountersDiffer} and found nothing at all to
     * do (removals included) and nothing failed; otherwise none, so that the next pass looks.
     *
     * @param before the base the pass planned on, or null when it looked
     * @param plan the whole plan, before a quick pass leaves removals out
     */
    public static Base after(Base before, NodeDesiredState d, Observed observed, Plan plan, boolean ok,
        long lookedAtNanos) {
      if (before == null) {
        return of(d, observed, plan, lookedAtNanos);
      }
      boolean nothingChanged = onlyCountersDiffer(before, d, lookedAtNanos) && plan.isEmpty() && ok;
      return nothingChanged ? new Base(d, before.observed(), before.observedAtNanos()) : null;
    }
  }

  /**
   * The shares {@code next} adds to {@code base}'s state, when it may be planned on the base's
   * look; empty when a whole look is needed: no base, a base older than {@link #MAX_AGE}, nothing
   * added, an added share on ZFS, or any other difference than added shares and accounts, the
   * addresses, the intents, the generation and epoch.
   */
  public static List<String> additions(Base base, NodeDesiredState next, long nowNanos) {
    if (!fresh(base, nowNanos)) {
      return List.of();
    }
    NodeDesiredState before = base.desired();
    if (!rest(before).equals(rest(next)) || !keeps(before.getSharesList(), next.getSharesList(), ShareSpec::getName)
        || !keeps(before.getUsersList(), next.getUsersList(), UserSpec::getName)) {
      return List.of();
    }
    Map<String, ShareSpec> had = byName(before.getSharesList(), ShareSpec::getName);
    List<ShareSpec> added = next.getSharesList().stream().filter(s -> !had.containsKey(s.getName())).toList();
    if (added.isEmpty() || !added.stream().allMatch(s -> s.getStorage().hasDirectory())) {
      return List.of();
    }
    return added.stream().map(ShareSpec::getName).sorted().toList();
  }

  /**
   * Whether {@code next} is the base's state again but for its addresses, generation and epoch,
   * as when a new leader's term begins (a new epoch, and a new generation once it writes).
   * Planned on the base's look, such a state changes nothing, and the base stays for the state
   * after it ({@link Base#after}): in the failover lab the state of a new leader's term came 0.2
   * to 0.3 s before its first move, and the whole look it caused held the move's pass back by 0.31
   * to 0.37 s. The base's own state again is not such a state: that is a pass of the timer, a
   * retry or the look after a quick pass, which look at the node.
   */
  public static boolean onlyCountersDiffer(Base base, NodeDesiredState next, long nowNanos) {
    return fresh(base, nowNanos) && !base.desired().equals(next)
        && withoutAddressesOrCounters(base.desired()).equals(withoutAddressesOrCounters(next));
  }

  private static boolean fresh(Base base, long nowNanos) {
    return base != null && nowNanos - base.observedAtNanos() <= MAX_AGE.toNanos();
  }

  /** The state without its addresses, generation and epoch, which no step is planned from. */
  private static NodeDesiredState withoutAddressesOrCounters(NodeDesiredState d) {
    return d.toBuilder().clearGeneration().clearEpoch().clearAddresses().build();
  }

  /** What must not differ at all: the state without shares, accounts, addresses, intents and its counters. */
  private static NodeDesiredState rest(NodeDesiredState d) {
    return withoutAddressesOrCounters(d).toBuilder().clearShares().clearUsers().clearRemovals().clearRefused().clearKept()
        .build();
  }

  /** Whether {@code after} has every item of {@code before}, each unchanged. */
  private static <T> boolean keeps(List<T> before, List<T> after, Function<T, String> name) {
    Map<String, T> now = byName(after, name);
    return before.stream().allMatch(item -> item.equals(now.get(name.apply(item))));
  }

  private static <T> Map<String, T> byName(List<T> items, Function<T, String> name) {
    return items.stream().collect(Collectors.toMap(name, Function.identity(), (a, b) -> a));
  }
}
