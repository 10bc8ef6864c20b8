package org.smbgw.coordinator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.MethodDescriptor;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.Role;

/** What each role may call, and how failed authentication is slowed down, on numbers alone. */
class RolesAndThrottleTest {
  private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void everyAdminCallIsClassifiedOnPurpose() {
    List<String> methods = AdminServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(m -> MethodDescriptor.extractBareMethodName(m.getFullMethodName())).toList();
    List<String> unclassified = methods.stream().filter(m -> !Roles.NEEDED.containsKey(m)).toList();
    assertEquals(List.of(), unclassified, "a new admin call must be given its role in Roles.NEEDED");
    assertEquals(methods.size(), Roles.NEEDED.size(), "Roles.NEEDED names a call the service does not have");
    assertEquals(Role.ROLE_ADMIN, Roles.needed("SomethingNew"), "an unknown call needs admin");
    assertTrue(methods.containsAll(Roles.READS), "Roles.READS names a call the service does not have");
    assertTrue(Roles.changes("SomethingNew"), "an unknown call is audited");
  }

  @Test
  void aViewerOnlyLooksAnOperatorMovesButDeletesNothingAnAdminDoesAll() {
    for (String look : List.of("ListShares", "GetShare", "Status", "WatchEvents", "ShareStats", "ListNodes")) {
      assertTrue(Roles.allows(Role.ROLE_VIEWER, Roles.needed(look)), look);
    }
    for (String change : List.of("CreateShare", "DrainNode", "MoveAddress", "PutUser", "CreateToken", "ListTokens")) {
      assertFalse(Roles.allows(Role.ROLE_VIEWER, Roles.needed(change)), "a viewer may not " + change);
    }
    for (String move : List.of("DrainNode", "UndrainNode", "MoveShare", "MoveAddress", "ListShares")) {
      assertTrue(Roles.allows(Role.ROLE_OPERATOR, Roles.needed(move)), move);
    }
    for (String destroy : List.of("DeleteShare", "CreateShare", "Apply", "DeleteUser", "DeleteAddress", "RevokeToken")) {
      assertFalse(Roles.allows(Role.ROLE_OPERATOR, Roles.needed(destroy)), "an operator may not " + destroy);
      assertTrue(Roles.allows(Role.ROLE_ADMIN, Roles.needed(destroy)), destroy);
    }
    assertFalse(Roles.allows(Role.ROLE_UNSPECIFIED, Role.ROLE_VIEWER), "a record without a role allows nothing");
  }

  @Test
  void failuresWaitLongerEachTimeThenLockTheSourceOutForAMinute() {
    Throttle t = new Throttle();
    long now = 0;
    List<Long> delays = new java.util.ArrayList<>();
    for (int i = 0; i < Throttle.LOCK_AFTER - 1; i++) {
      delays.add(t.failed("10.0.0.9", now) / MS);
      assertEquals(0, t.lockedFor("10.0.0.9", now), "not locked after " + (i + 1) + " failures");
    }
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 3200L, 3200L, 3200L), delays);
    t.failed("10.0.0.9", now);
    assertEquals(Throttle.LOCKOUT_NANOS, t.lockedFor("10.0.0.9", now), "the tenth failure locks it out");
    assertEquals(0, t.lockedFor("10.0.0.10", now), "only that source");
    assertEquals(0, t.lockedFor("10.0.0.9", now + Throttle.LOCKOUT_NANOS), "for a minute");
    assertEquals(100, t.failed("10.0.0.9", now + Throttle.LOCKOUT_NANOS) / MS, "and then counting starts again");
  }

  @Test
  void tenQuietMinutesForgetTheFailures() {
    Throttle t = new Throttle();
    t.failed("a", 0);
    assertEquals(200, t.failed("a", Throttle.FORGET_NANOS) / MS, "still counted within ten minutes");
    assertEquals(100, t.failed("a", 2 * Throttle.FORGET_NANOS + 1) / MS, "forgotten after ten quiet ones");
  }

  @Test
  void aFloodOfSourcesIsForgottenOldestFirstNotKeptWithoutBound() {
    Throttle t = new Throttle();
    for (int i = 0; i < Throttle.LOCK_AFTER; i++) {
      t.failed("first", 0);
    }
    assertTrue(t.lockedFor("first", 0) > 0);
    for (int i = 0; i < Throttle.MAX_SOURCES; i++) {
      t.failed("flood-" + i, 0);
    }
    assertEquals(0, t.lockedFor("first", 0), "the least recently seen source went first");
  }

  @Test
  void aForwardedCallCountsByTheAddressItNamesAndTheNodeThatPassedItOnAndOnlyANodeMayName() {
    java.security.cert.X509Certificate n2 = certificate("n2");
    io.grpc.Metadata forwarded = new io.grpc.Metadata();
    forwarded.put(TokenAuth.FORWARDED_FOR, "10.0.0.9:51234");
    assertEquals(new TokenAuth.Source("10.0.0.9:51234 via n2", "10.0.0.9 via n2"),
        TokenAuth.source(new org.smbgw.common.tls.Peer("10.0.0.2:40000", java.util.Optional.of(n2)), forwarded));
    assertEquals(new TokenAuth.Source("10.0.0.7:40000", "10.0.0.7"),
        TokenAuth.source(new org.smbgw.common.tls.Peer("10.0.0.7:40000", java.util.Optional.empty()), forwarded),
        "a caller without a node's certificate cannot name another address");
    io.grpc.Metadata junk = new io.grpc.Metadata();
    junk.put(TokenAuth.FORWARDED_FOR, "x".repeat(4000));
    assertEquals("10.0.0.2", TokenAuth.source(new org.smbgw.common.tls.Peer("10.0.0.2:40000", java.util.Optional.of(n2)),
        junk).key(), "nor anything but an address");
    assertEquals("10.0.0.9", TokenAuth.host("10.0.0.9:51234"));
    assertEquals("[fd00:0:0:1:0:0:0:0]/64", TokenAuth.host("[fd00::1:2:3:4:5]:51234"), "an IPv6 host counts by its /64");
  }

  private static java.security.cert.X509Certificate certificate(String node) {
    try (org.smbgw.common.testing.TestPki pki = org.smbgw.common.testing.TestPki.create();
        var in = java.nio.file.Files.newInputStream(pki.node(node).cert())) {
      return (java.security.cert.X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
          .generateCertificate(in);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
