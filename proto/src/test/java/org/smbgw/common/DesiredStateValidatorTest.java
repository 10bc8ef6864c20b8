package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;
import org.smbgw.proto.v1.ZfsStorage;

class DesiredStateValidatorTest {
  private static ShareSpec zfs(String name) {
    return ShareSpec.newBuilder().setName(name).setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent("tank")))
        .setRead(Access.newBuilder().addGroups("staff")).build();
  }

  private static ShareSpec dir(String name, String path) {
    return zfs(name).toBuilder().setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(path)))
        .build();
  }

  @Test
  void oneBadShareOrUserIsLeftOutWithItsReasonAndTheRestStays() {
    NodeDesiredState state = NodeDesiredState.newBuilder().setGeneration(7)
        .addShares(zfs("good")).addShares(zfs("a  b")).addShares(dir("first", "/srv/x")).addShares(dir("second", "/srv/x/y"))
        .addUsers(UserSpec.newBuilder().setName("alice").setNtHash("8846F7EAEE8FB117AD06BDD830B7586C"))
        .addUsers(UserSpec.newBuilder().setName("bob").setNtHash("nothex"))
        .addPurgeShares("good").addPurgeShares("old").build();
    DesiredStateValidator.Split split = DesiredStateValidator.onNode(List.of(Path.of("/srv"))).split(state);
    assertEquals(List.of("good", "first"), split.state().getSharesList().stream().map(ShareSpec::getName).toList());
    assertEquals(List.of("alice"), split.state().getUsersList().stream().map(UserSpec::getName).toList());
    assertEquals(List.of("old"), split.state().getPurgeSharesList());
    assertEquals(7, split.state().getGeneration());
    Map<String, String> refused = split.refused();
    assertEquals(List.of("purge/good", "share/a  b", "share/second", "user/bob"), List.copyOf(refused.keySet()));
    assertTrue(refused.get("share/a  b").contains("Share/a  b: spec.name"), refused.toString());
    assertTrue(refused.get("share/second").contains("first"), "names the share it overlaps: " + refused);
    assertTrue(refused.get("user/bob").contains("ntHash"), refused.toString());
  }

  @Test
  void aNodeWithoutDirectoryRootsRefusesDirectorySharesButTheCoordinatorCannotTell() {
    NodeDesiredState state = NodeDesiredState.newBuilder().addShares(dir("d", "/srv/d")).build();
    List<Violation> onNode = DesiredStateValidator.onNode(List.of()).validate(state);
    assertEquals(1, onNode.size(), onNode.toString());
    assertEquals("Share/d: spec.storage.directory.path", onNode.get(0).field());
    assertTrue(onNode.get(0).toString().contains("no directory roots"), onNode.toString());
    assertEquals(List.of(), DesiredStateValidator.anyNode().validate(state));
  }

  @Test
  void adoptingIsForDirectoryStorageOnly() {
    List<Violation> v = ShareValidator.anyNode().validate("spec", zfs("z").toBuilder().setAdopt(true).build());
    assertEquals("spec.adopt", v.get(0).field(), v.toString());
    assertEquals(List.of(), ShareValidator.anyNode().validate("spec", dir("d", "/srv/d").toBuilder().setAdopt(true).build()));
  }

  @Test
  void anAddressOrInterfaceThatWouldBecomeAnotherIpCommandIsLeftOut() {
    NodeDesiredState state = NodeDesiredState.newBuilder()
        .addAddresses(org.smbgw.proto.v1.AddressAssignment.newBuilder().setAddress("10.0.0.5/24 dev lo\naddr add 1.2.3.4/32 dev lo"))
        .addAddresses(org.smbgw.proto.v1.AddressAssignment.newBuilder().setAddress("10.0.0.6/24").setInterface("lo; reboot"))
        .addAddresses(org.smbgw.proto.v1.AddressAssignment.newBuilder().setAddress("10.0.0.7/24").setInterface("vmbr0")).build();
    DesiredStateValidator.Split split = DesiredStateValidator.anyNode().split(state);
    assertEquals(List.of("10.0.0.7/24"), split.state().getAddressesList().stream().map(a -> a.getAddress()).toList());
    assertEquals(2, split.refused().size(), split.refused().toString());
    assertTrue(split.refused().get("address/10.0.0.6/24").contains("interface"), split.refused().toString());
  }

  @Test
  void lockingDownIsValidatedAndUnsafeCombinationsAreRefusedWithTheReason() {
    ShareValidator v = ShareValidator.onNode(List.of(Path.of("/srv")), "smbgw");
    ShareSpec ok = zfs("ok").toBuilder().setMinProtocol("SMB3").setEncrypt("required").addHostsAllow("10.0.0.0/24")
        .addHostsAllow("192.0.2.7").addHostsDeny("fd00::/64").build();
    assertEquals(List.of(), v.validate("spec", ok));
    String[][] table = {
        {"spec.minProtocol", "SMB1"},
        {"spec.encrypt", "mandatory"},
        {"spec.hostsAllow[0]", "10.0.0.0/24 EXCEPT 10.0.0.5"},
        {"spec.guestOk", ""},
        {"spec.admin.groups", ""},
    };
    for (String[] row : table) {
      ShareSpec.Builder b = zfs("bad").toBuilder();
      switch (row[0]) {
        case "spec.minProtocol" -> b.setMinProtocol(row[1]);
        case "spec.encrypt" -> b.setEncrypt(row[1]);
        case "spec.hostsAllow[0]" -> b.addHostsAllow(row[1]);
        case "spec.guestOk" -> b.setGuestOk(true).setWrite(Access.newBuilder().addUsers("alice"));
        default -> b.setAdmin(Access.newBuilder().addGroups("smbgw"));
      }
      List<Violation> out = v.validate("spec", b.build());
      assertTrue(out.stream().anyMatch(x -> x.field().equals(row[0])), row[0] + ": " + out);
    }
    assertEquals(List.of(), v.validate("spec", zfs("g").toBuilder().setGuestOk(true).setReadOnly(true).build()),
        "a read-only guest share is fine");
  }
}
