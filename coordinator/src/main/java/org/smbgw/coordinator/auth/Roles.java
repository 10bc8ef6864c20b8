package org.smbgw.coordinator.auth;

import java.util.Map;
import org.smbgw.proto.v1.Role;

/**
 * The role each admin call needs (DESIGN section 6). Every method is listed; one that is not (a new
 * one nobody classified) needs admin. {@code RolesAndThrottleTest} fails when the service has a method this
 * table does not name, so that a new call is classified on purpose.
 */
public final class Roles {
  private Roles() {}

  static final Map<String, Role> NEEDED = Map.ofEntries(
      Map.entry("GetShare", Role.ROLE_VIEWER),
      Map.entry("ListShares", Role.ROLE_VIEWER),
      Map.entry("ListNodes", Role.ROLE_VIEWER),
      Map.entry("ListUsers", Role.ROLE_VIEWER),
      Map.entry("ListAddresses", Role.ROLE_VIEWER),
      Map.entry("Status", Role.ROLE_VIEWER),
      Map.entry("WatchEvents", Role.ROLE_VIEWER),
      Map.entry("ShareStats", Role.ROLE_VIEWER),
      Map.entry("DrainNode", Role.ROLE_OPERATOR),
      Map.entry("UndrainNode", Role.ROLE_OPERATOR),
      Map.entry("MoveShare", Role.ROLE_OPERATOR),
      Map.entry("MoveAddress", Role.ROLE_OPERATOR),
      Map.entry("CreateShare", Role.ROLE_ADMIN),
      Map.entry("UpdateShare", Role.ROLE_ADMIN),
      Map.entry("DeleteShare", Role.ROLE_ADMIN),
      Map.entry("ConfirmRemoval", Role.ROLE_ADMIN),
      Map.entry("PutUser", Role.ROLE_ADMIN),
      Map.entry("DeleteUser", Role.ROLE_ADMIN),
      Map.entry("Apply", Role.ROLE_ADMIN),
      Map.entry("CreateAddress", Role.ROLE_ADMIN),
      Map.entry("DeleteAddress", Role.ROLE_ADMIN),
      Map.entry("CreateToken", Role.ROLE_ADMIN),
      Map.entry("ListTokens", Role.ROLE_ADMIN),
      Map.entry("RevokeToken", Role.ROLE_ADMIN),
      Map.entry("ListAudit", Role.ROLE_ADMIN));

  /** The calls that only look: everything else may change something, and is audited. */
  static final java.util.Set<String> READS = java.util.Set.of("GetShare", "ListShares", "ListNodes", "ListUsers",
      "ListAddresses", "Status", "WatchEvents", "ShareStats", "ListTokens", "ListAudit");

  /** Whether {@code method} may change something (and so is audited). */
  public static boolean changes(String method) {
    return !READS.contains(method);
  }

  /** The role {@code method} (its bare name, "CreateShare") needs. */
  public static Role needed(String method) {
    return NEEDED.getOrDefault(method, Role.ROLE_ADMIN);
  }

  /** Whether a token with {@code held} may make a call that needs {@code needed}. */
  public static boolean allows(Role held, Role needed) {
    return held != Role.UNRECOGNIZED && held != Role.ROLE_UNSPECIFIED && held.getNumber() >= needed.getNumber();
  }
}
