package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;

class ResourcesTest {
  private static final String FILE = """
      apiVersion: smbgw/v1
      kind: Share
      metadata:
        name: projects
      spec:
        storage:
          zfs:
            parent: tank/smb
        quota: 10G
        comment: Team projects
        read:
          groups: [staff]
        write:
          users: [alice, bob]
      ---
      apiVersion: smbgw/v1
      kind: User
      metadata: {name: alice}
      spec: {ntHash: 8846f7eaee8fb117ad06bdd830b7586c}
      ---
      apiVersion: smbgw/v1
      kind: Purge
      metadata: {name: old}
      """;

  @Test
  void readsSharesUsersAndPurges() {
    List<Resource> rs = Resources.parse(FILE);
    assertEquals(3, rs.size());
    ShareSpec s = ((Resource.Share) rs.get(0)).spec();
    assertEquals(10L << 30, s.getQuotaBytes());
    assertEquals("tank/smb", s.getStorage().getZfs().getParent());
    assertEquals(List.of("alice", "bob"), s.getWrite().getUsersList());
    assertEquals(List.of("staff"), s.getRead().getGroupsList());
    assertEquals("8846F7EAEE8FB117AD06BDD830B7586C", ((Resource.User) rs.get(1)).spec().getNtHash());
    assertEquals(new Resource.Purge("old"), rs.get(2));
  }

  @Test
  void renderedYamlReadsBackToTheSameValues() {
    List<Resource> rs = Resources.parse(FILE);
    assertEquals(rs, Resources.parse(Resources.toYaml(rs)));
  }

  @Test
  void everyFieldRendersAndReadsBack() {
    List<Resource> rs = Resources.parse("""
        apiVersion: smbgw/v1
        kind: Share
        metadata: {name: all}
        spec:
          storage: {directory: {path: /srv/all}}
          quota: 1T
          quotaWarningPercent: 70
          quotaCriticalPercent: 90
          readOnly: true
          browseable: false
          comment: "everything: set"
          read: {users: [carol], groups: [staff]}
          admin: {groups: [admins]}
          guestOk: false
          adopt: true
          minProtocol: SMB3
          encrypt: required
          hostsAllow: [10.0.0.0/8, fd00::/8]
          hostsDeny: [10.9.0.0/16]
          address: 10.0.0.50/24
        ---
        ---
        """);
    assertEquals(1, rs.size()); // empty documents are skipped
    String yaml = Resources.toYaml(rs);
    assertEquals(rs, Resources.parse(yaml));
    assertTrue(yaml.contains("hostsAllow:\n  - 10.0.0.0/8\n  - fd00::/8"), yaml);
  }

  @Test
  void aPercentageBeyondAnIntIsRefusedNotWrappedAround() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Resources.parse("""
        apiVersion: smbgw/v1
        kind: Share
        metadata: {name: big}
        spec: {storage: {directory: {path: /srv/big}}, write: {users: [a]}, quotaWarningPercent: 4294967346}
        """));
    assertEquals("Share/big: spec.quotaWarningPercent: must be a whole percentage from 1 to 100",
        e.violations().get(0).toString());
  }

  @Test
  void aDocumentThatIsNoMappingAndBrokenYamlAreNamed() {
    assertEquals("document 1: must be a mapping with apiVersion, kind, metadata and spec",
        assertThrows(InvalidSpecException.class, () -> Resources.parse("- a list\n")).violations().get(0).toString());
    assertTrue(assertThrows(InvalidSpecException.class, () -> Resources.parse("a: [unclosed\n")).violations().get(0)
        .toString().startsWith("yaml: not valid YAML: "));
    assertEquals("yaml: not valid YAML: Duplicate field 'kind' (line 3)",
        assertThrows(InvalidSpecException.class, () -> Resources.parse("apiVersion: smbgw/v1\nkind: User\nkind: Share\n"))
            .violations().get(0).toString());
  }

  @Test
  void unknownAndMistypedFieldsAreNamed() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Resources.parse("""
        apiVersion: smbgw/v1
        kind: Share
        metadata: {name: x}
        spec:
          quotaa: 1G
          readOnly: "yes"
          quota: lots
        """));
    List<String> fields = e.violations().stream().map(Violation::field).toList();
    assertTrue(fields.contains("Share/x: spec.quotaa"), fields.toString());
    assertTrue(fields.contains("Share/x: spec.readOnly"), fields.toString());
    assertTrue(fields.contains("Share/x: spec.quota"), fields.toString());
  }

  @Test
  void wrongApiVersionAndKindAreRejected() {
    InvalidSpecException e = assertThrows(InvalidSpecException.class, () -> Resources.parse(
        "apiVersion: v2\nkind: Volume\nmetadata: {name: x}\n"));
    assertEquals(2, e.violations().size(), e.getMessage());
  }

  @Test
  void desiredStateRulesCatchCaseClashesAndPurgeOfDeclaredShare() {
    ShareSpec a = ((Resource.Share) Resources.parse(FILE).get(0)).spec();
    NodeDesiredState state = NodeDesiredState.newBuilder()
        .addShares(a).addShares(a.toBuilder().setName("PROJECTS"))
        .addPurgeShares("Projects").build();
    List<Violation> v = DesiredStateValidator.onNode(List.of(Path.of("/srv"))).validate(state);
    assertEquals(2, v.size(), v.toString());
  }

  @Test
  void aShareWithNobodyAllowedIsRefusedBecauseSambaWouldAllowEveryone() {
    ShareSpec open = ShareSpec.newBuilder().setName("x").setStorage(
        ((Resource.Share) Resources.parse(FILE).get(0)).spec().getStorage()).build();
    List<Violation> v = ShareValidator.anyNode().validate("spec", open);
    assertEquals(List.of("spec.read"), v.stream().map(Violation::field).toList());
  }
}
