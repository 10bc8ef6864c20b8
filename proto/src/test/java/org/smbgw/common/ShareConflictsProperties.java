package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.ZfsStorage;

/** The index finds exactly the conflicts that comparing a share with every other one finds. */
class ShareConflictsProperties {
  @Provide
  Arbitrary<List<ShareSpec>> shares() {
    // Few names and directories, so that clashes (same name in another case, same, nested and
    // sibling directories with shared prefixes such as /a and /ab) are common.
    Arbitrary<String> name = Arbitraries.of("a", "A", "b", "ß", "SS", "ss", "data", "Data", "k", "\u212a");
    Arbitrary<String> dir = Arbitraries.of("/", "/a", "/a/", "/ab", "/a-b", "/a/b", "/a/b/c", "/a/./b", "/b/../a",
        "/c", "relative", "", "/a\u0000b");
    Arbitrary<ShareSpec> share = Combinators.combine(name, dir, Arbitraries.of(true, false)).as((n, d, onZfs) ->
        ShareSpec.newBuilder().setName(n).setStorage(onZfs
            ? Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent("tank"))
            : Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(d))).build());
    return share.list().ofMinSize(1).ofMaxSize(12);
  }

  @Property(tries = 300)
  void theIndexFindsWhatComparingWithEachFinds(@ForAll("shares") List<ShareSpec> shares) {
    ShareSpec share = shares.get(shares.size() - 1);
    List<ShareSpec> others = shares.subList(0, shares.size() - 1);
    List<Violation> naive = new ArrayList<>();
    others.forEach(o -> naive.addAll(ShareConflicts.between("spec", share, o, "share")));
    assertEquals(naive, new ShareConflicts.Among(others).conflicts("spec", share, "share"));
  }

  @Test
  void aShareAtTheRootContainsEveryOtherDirectoryShare() {
    ShareSpec root = dir("r", "/");
    List<Violation> v = new ShareConflicts.Among(List.of(dir("x", "/srv/x"), dir("y", "/y"))).conflicts("spec", root,
        "share");
    assertEquals(2, v.size(), v.toString());
  }

  private static ShareSpec dir(String name, String path) {
    return ShareSpec.newBuilder().setName(name)
        .setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(path))).build();
  }
}
