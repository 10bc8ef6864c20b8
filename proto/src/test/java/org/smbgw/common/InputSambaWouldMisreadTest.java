package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;

/**
 * Hostile input that smb.conf's parser would read as something else than smbgw meant (issue 12):
 * each is refused, and the violation names the field and says the rule.
 */
class InputSambaWouldMisreadTest {
  private static final DesiredStateValidator VALIDATOR = DesiredStateValidator.onNode(List.of(Path.of("/srv/smb")));

  private static ShareSpec.Builder share(String name, String path) {
    return ShareSpec.newBuilder().setName(name).setRead(Access.newBuilder().addGroups("staff"))
        .setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(path)));
  }

  private static List<Violation> validate(ShareSpec.Builder... shares) {
    NodeDesiredState.Builder b = NodeDesiredState.newBuilder();
    for (ShareSpec.Builder s : shares) {
      b.addShares(s);
    }
    return VALIDATOR.validate(b.build());
  }

  static Stream<Arguments> oneShare() {
    return Stream.of(
        // names: Samba collapses and trims spaces in a section header
        Arguments.of(share("a  b", "/srv/smb/x"), "spec.name", "two spaces"),
        Arguments.of(share("a ", "/srv/smb/x"), "spec.name", "start or end"),
        Arguments.of(share(" a", "/srv/smb/x"), "spec.name", "start or end"),
        Arguments.of(share("a\u00a0b", "/srv/smb/x"), "spec.name", "U+00A0"),
        Arguments.of(share("a\u3000", "/srv/smb/x"), "spec.name", "U+3000"),
        Arguments.of(share("sha\u200bre", "/srv/smb/x"), "spec.name", "invisible"),
        Arguments.of(share("x\n[global]\nroot preexec = /bin/sh", "/srv/smb/x"), "spec.name", "control"),
        Arguments.of(share("x]\ninclude = /etc/passwd", "/srv/smb/x"), "spec.name", "must not contain any of"),
        Arguments.of(share("a\\", "/srv/smb/x"), "spec.name", "must not contain any of"),
        // reserved names, also as case lookalikes Samba or a client may fold together
        Arguments.of(share("GLOBAL", "/srv/smb/x"), "spec.name", "reserved"),
        Arguments.of(share("home\u017f", "/srv/smb/x"), "spec.name", "reserved"),
        Arguments.of(share("\u0131pc$", "/srv/smb/x"), "spec.name", "reserved"),
        // comments: a trailing backslash, even before spaces, joins the next line
        Arguments.of(share("c", "/srv/smb/x").setComment("x\\ "), "spec.comment", "'\\'"),
        Arguments.of(share("c", "/srv/smb/x").setComment("x\\"), "spec.comment", "'\\'"),
        Arguments.of(share("c", "/srv/smb/x").setComment("x\\\t"), "spec.comment", "'\\'"),
        Arguments.of(share("c", "/srv/smb/x").setComment("two  spaces"), "spec.comment", "two spaces"),
        Arguments.of(share("c", "/srv/smb/x").setComment(" lead"), "spec.comment", "start or end"),
        Arguments.of(share("c", "/srv/smb/x").setComment("trail "), "spec.comment", "start or end"),
        Arguments.of(share("c", "/srv/smb/x").setComment("ok\ninclude = /etc/passwd"), "spec.comment", "one line"),
        Arguments.of(share("c", "/srv/smb/x").setComment("ok\r\n\troot preexec = /bin/sh -c id"), "spec.comment",
            "one line"),
        Arguments.of(share("c", "/srv/smb/x").setComment("ok\u2028root preexec = id"), "spec.comment", "one line"),
        Arguments.of(share("c", "/srv/smb/x").setComment("100%"), "spec.comment", "'%'"),
        // paths: the agent would prepare one directory and smbd serve another
        Arguments.of(share("p", "/srv/smb/a  b"), "spec.storage.directory.path", "two spaces"),
        Arguments.of(share("p", "/srv/smb/a "), "spec.storage.directory.path", "start or end"),
        Arguments.of(share("p", " /srv/smb/a"), "spec.storage.directory.path", "start or end"),
        Arguments.of(share("p", "/srv/smb/a\\"), "spec.storage.directory.path", "'\\'"),
        Arguments.of(share("p", "/srv/smb/a\\ "), "spec.storage.directory.path", "'\\'"),
        Arguments.of(share("p", "/srv/smb/a\\b"), "spec.storage.directory.path", "'\\'"),
        Arguments.of(share("p", "/srv/smb/a\u00a0"), "spec.storage.directory.path", "U+00A0"),
        Arguments.of(share("p", "/srv/smb/../../etc"), "spec.storage.directory.path", "'..'"),
        Arguments.of(share("p", "/srv/smb/a/.."), "spec.storage.directory.path", "'..'"),
        Arguments.of(share("p", "/srv/smb/a\ninclude = /etc/passwd"), "spec.storage.directory.path", "control"),
        // access lists: only plain account names reach "valid users"
        Arguments.of(share("u", "/srv/smb/x").setWrite(Access.newBuilder().addUsers("root preexec")),
            "spec.write.users[0]", "user name"),
        Arguments.of(share("u", "/srv/smb/x").setWrite(Access.newBuilder().addUsers("alice,bob")),
            "spec.write.users[0]", "user name"),
        Arguments.of(share("u", "/srv/smb/x").setAdmin(Access.newBuilder().addGroups("@wheel")),
            "spec.admin.groups[0]", "group name"),
        Arguments.of(share("u", "/srv/smb/x").setRead(Access.newBuilder().addGroups("staff\ninclude = /x")),
            "spec.read.groups[0]", "group name"));
  }

  @ParameterizedTest
  @MethodSource("oneShare")
  void refusedNamingTheFieldAndTheRule(ShareSpec.Builder share, String field, String rule) {
    List<Violation> v = validate(share);
    assertTrue(v.stream().anyMatch(x -> x.field().endsWith(": " + field) && x.rule().contains(rule)),
        "expected " + field + " with '" + rule + "', got " + v);
  }

  static Stream<Arguments> caseTwins() {
    return Stream.of(Arguments.of("share", "SHARE"), Arguments.of("key", "\u212aey"), Arguments.of("share", "\u017fhare"),
        Arguments.of("\u03c3x", "\u03c2x"), Arguments.of("\u03a3x", "\u03c2x"), Arguments.of("\u03c9", "\u2126"),
        Arguments.of("\u00e5", "\u212b"), Arguments.of("ix", "\u0130x"), Arguments.of("ix", "\u0131x"),
        Arguments.of("\u00df", "\u1e9e"), Arguments.of("\u00e9t\u00e9", "e\u0301te\u0301"),
        Arguments.of("\u01c4a", "\u01c5A"));
  }

  @ParameterizedTest
  @MethodSource("caseTwins")
  void namesEqualIgnoringCaseAreOneShareNamingTheOther(String first, String second) {
    List<Violation> v = validate(share(first, "/srv/smb/one"), share(second, "/srv/smb/two"));
    assertEquals(1, v.size(), v.toString());
    assertEquals("Share/" + second + ": spec.name", v.get(0).field());
    assertTrue(v.get(0).rule().contains("'" + first + "'"), v.get(0).rule());
  }

  @Test
  void lookalikesThatDoNotFoldTogetherAreDifferentShares() {
    // Cyrillic a and Latin a, fullwidth and ASCII: Samba keeps them apart, and so does smbgw.
    assertEquals(List.of(), validate(share("\u0430b", "/srv/smb/one"), share("ab", "/srv/smb/two"),
        share("\uff41b", "/srv/smb/three")));
  }

  @Test
  void aSharePurgedUnderAnotherCaseIsStillDeclared() {
    List<Violation> v = VALIDATOR.validate(NodeDesiredState.newBuilder().addShares(share("Team", "/srv/smb/t"))
        .addPurgeShares("TEAM").build());
    assertEquals(1, v.size(), v.toString());
    assertTrue(v.get(0).rule().contains("'Team'"), v.toString());
  }

  static Stream<Arguments> overlappingDirectories() {
    return Stream.of(Arguments.of("/srv/smb/a", "/srv/smb/a", "is the directory of share 'first'"),
        Arguments.of("/srv/smb/a", "/srv/smb/a/b", "is inside /srv/smb/a, the directory of share 'first'"),
        Arguments.of("/srv/smb/a/b/c", "/srv/smb/a", "contains /srv/smb/a/b/c, the directory of share 'first'"));
  }

  @ParameterizedTest
  @MethodSource("overlappingDirectories")
  void sameOrNestedDirectoriesAreRefusedNamingTheOtherShare(String first, String second, String rule) {
    List<Violation> v = validate(share("first", first), share("second", second));
    assertEquals(1, v.size(), v.toString());
    assertEquals("Share/second: spec.storage.directory.path", v.get(0).field());
    assertTrue(v.get(0).rule().contains(rule), v.get(0).rule());
  }

  @Test
  void siblingDirectoriesWithACommonPrefixAreNotNested() {
    assertEquals(List.of(), validate(share("a", "/srv/smb/a"), share("ab", "/srv/smb/ab"),
        share("a b", "/srv/smb/a b")));
  }
}
