package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.List;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.RidCounter;
import org.smbgw.proto.v1.UserSpec;

/**
 * Relative identifiers of users: each node's Samba names a user by the cluster's SID and the
 * user's RID, so that a Windows ACL naming the user means the same account on every node. A RID is
 * given once: the counter only grows, so a user added after another was deleted never inherits the
 * deleted one's entries in ACLs. Pure.
 */
final class Rids {
  /**
   * The first RID given. Far above Windows' well-known RIDs (500 Administrator, 513 Domain
   * Users...) and above those Samba makes itself: 2 x uid + 1000 for an imported account (until
   * smbgw gives it its RID, and for a user from before RIDs), and 1000 upwards for accounts an
   * administrator adds. Two accounts with one SID would each act as the other.
   */
  static final int FIRST = 1_000_000;

  private Rids() {}

  /**
   * The users as given, each without a RID given the next one, in order; the counter's write is
   * added to {@code change} when any was given.
   */
  static List<UserSpec> give(Snapshot s, List<UserSpec> users, Change.Builder change) {
    int last = Math.max(FIRST - 1, s.rids().value().getLast());
    for (Versioned<UserSpec> u : s.users().values()) {
      last = Math.max(last, u.value().getRid()); // a counter behind its users (restored from a backup) is not trusted
    }
    List<UserSpec> out = new ArrayList<>();
    boolean gave = false;
    for (UserSpec u : users) {
      if (u.getRid() == 0) {
        u = u.toBuilder().setRid(++last).build();
        gave = true;
      }
      out.add(u);
    }
    if (gave) {
      if (s.rids().version() < 0) {
        // Version -1 would write whatever is there; a counter that is not there gives nothing.
        throw Errors.unavailable("the RID counter (" + ZkPaths.RIDS + ") is not loaded; try again shortly");
      }
      change.add(new Write.Update(ZkPaths.RIDS, RidCounter.newBuilder().setLast(last).build(), s.rids().version()));
    }
    return out;
  }
}
