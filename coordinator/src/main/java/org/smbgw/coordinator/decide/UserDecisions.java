package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Names;
import org.smbgw.common.NtHash;
import org.smbgw.common.Violation;
import org.smbgw.coordinator.state.Versioned;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.DeleteUserRequest;
import org.smbgw.proto.v1.DeleteUserResponse;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.User;
import org.smbgw.proto.v1.UserSpec;

/** Local SMB accounts: added, password changed, deleted. Pure. */
public final class UserDecisions {
  private UserDecisions() {}

  public static Change<User> put(Snapshot s, PutUserRequest req) {
    List<Violation> v = new ArrayList<>();
    Names.userName("spec.name", req.getSpec().getName(), v);
    NtHash.validate("spec.ntHash", req.getSpec().getNtHash(), v);
    if (req.getSpec().getRid() != 0) {
      v.add(new Violation("spec.rid", "is given by the coordinators when the user is added; leave it unset"));
    }
    InvalidSpecException.throwIfAny(v);
    Versioned<UserSpec> existing = s.users().get(req.getSpec().getName());
    Change.Builder change = new Change.Builder();
    // A password change keeps the user's RID; a user from before RIDs gets one now.
    UserSpec spec = Rids.give(s, List.of(req.getSpec().toBuilder().setNtHash(NtHash.canonical(req.getSpec().getNtHash()))
        .setRid(existing == null ? 0 : existing.value().getRid()).build()), change).get(0);
    if (existing != null && req.getCreateOnly()) {
      throw Errors.exists("user '" + spec.getName() + "'");
    }
    if (existing == null && req.getUpdateOnly()) {
      throw Errors.notFound("user '" + spec.getName() + "'");
    }
    write(s, spec, existing, change);
    change.event(existing == null ? "user.added" : "user.password", "user/" + spec.getName(),
        existing == null ? "added" : "password changed");
    return change.reply(User.newBuilder().setName(spec.getName()).build());
  }

  /** Adds the write of a user's spec (create, with its removal record forgotten, or update). */
  static void write(Snapshot s, UserSpec spec, Versioned<UserSpec> existing, Change.Builder change) {
    if (existing == null) {
      change.add(new Write.Create(ZkPaths.user(spec.getName()), spec));
      Removals.forget(s, "user/" + spec.getName(), change);
    } else {
      change.add(new Write.Update(ZkPaths.user(spec.getName()), spec, existing.version()));
    }
  }

  public static Change<DeleteUserResponse> delete(Snapshot s, DeleteUserRequest req) {
    Versioned<UserSpec> existing = Optional.ofNullable(s.users().get(req.getName()))
        .orElseThrow(() -> Errors.notFound("user '" + req.getName() + "'"));
    Change.Builder change = new Change.Builder().add(new Write.Delete(ZkPaths.user(req.getName()), existing.version()));
    Removals.record(s, "user/" + req.getName(), change);
    change.event("user.deleted", "user/" + req.getName(), "deleted");
    return change.reply(DeleteUserResponse.newBuilder().setName(req.getName()).build());
  }
}
