package org.smbgw.agent;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.ZfsPool;

/**
 * Hostile names, comments and paths are rejected with the field named, the whole file is
 * refused, and the include file stays byte for byte what it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileInputChangesNothingTest {
  private ZfsPool pool;
  private SandboxAgent node;
  private String valid;
  private byte[] include;

  @BeforeAll
  void start() throws Exception {
    pool = new ZfsPool("sgh", 64L << 20);
    node = new SandboxAgent().start();
    valid = share("fine", "  comment: all good\n");
    node.desire(valid);
    Reconciler.PassReport r = node.reconcile();
    assertEquals(Map.of(), r.outcome().errors());
    include = Files.readAllBytes(node.include());
  }

  @AfterAll
  void stop() throws Exception {
    try (ZfsPool p = pool; SandboxAgent n = node) {
      // closed in reverse order
    }
  }

  private String share(String yamlName, String extra) {
    return "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: " + yamlName + "}\nspec:\n"
        + "  storage: {zfs: {parent: " + pool.name() + "}}\n  read: {groups: [staff]}\n" + extra;
  }

  private String dirShare(String path) {
    return "---\napiVersion: smbgw/v1\nkind: Share\nmetadata: {name: d}\nspec:\n"
        + "  storage: {directory: {path: \"" + path + "\"}}\n  read: {groups: [staff]}\n";
  }

  Stream<Arguments> hostile() {
    String longName = "n".repeat(81);
    String root = node.directoryRoot().toString();
    return Stream.of(
        Arguments.of(share("\"x\\n[global]\\nroot preexec = /bin/sh\"", ""), "spec.name"),
        Arguments.of(share("\"a]b\"", ""), "spec.name"),
        Arguments.of(share("\"[global]\"", ""), "spec.name"),
        Arguments.of(share("\"include = /etc/passwd\"", ""), "spec.name"),
        Arguments.of(share(longName, ""), "spec.name"),
        Arguments.of(share("IPC$", ""), "spec.name"),
        Arguments.of(share("Homes", ""), "spec.name"),
        Arguments.of(share("\"bell\\u0007\"", ""), "spec.name"),
        Arguments.of(share("c", "  comment: \"ok\\nroot preexec = /bin/sh -c id\"\n"), "spec.comment"),
        Arguments.of(share("c", "  comment: \"ok\\n[global]\\ninclude = /tmp/x\"\n"), "spec.comment"),
        Arguments.of(share("c", "  comment: \"%$(PATH)\"\n"), "spec.comment"),
        Arguments.of(share("c", "").replace("read: {groups: [staff]}", "read: {users: [\"root preexec\"]}"),
            "spec.read"),
        // a key written twice is refused, not read as the last one
        Arguments.of(share("c", "  read: {users: [alice]}\n"), "Duplicate field 'read'"),
        Arguments.of(share("c", "  write: {groups: [\"a\\nb\"]}\n"), "spec.write.groups[0]"),
        Arguments.of(dirShare(root + "/../../etc"), "spec.storage.directory.path"),
        Arguments.of(dirShare("/etc"), "spec.storage.directory.path"),
        Arguments.of(dirShare(root + "/a\\nb"), "spec.storage.directory.path"),
        Arguments.of(share("c", "").replace("parent: " + pool.name(), "parent: \"" + pool.name() + "/../x\""),
            "spec.storage.zfs.parent"),
        Arguments.of(share("fine", "") + share("FINE", ""), "spec.name"),
        // issue 12: what Samba's parser would read as something else
        Arguments.of(share("\"a  b\"", ""), "spec.name"),
        Arguments.of(share("\"trail \"", ""), "spec.name"),
        Arguments.of(share("c", "  comment: \"x\\\\ \"\n"), "spec.comment"),
        Arguments.of(share("key", "") + share("\"\\u212Aey\"", ""), "Share/\u212aey: spec.name"),
        Arguments.of(dirShare(root + "/a  b"), "spec.storage.directory.path"),
        Arguments.of(dirShare(root + "/a "), "spec.storage.directory.path"),
        Arguments.of(dirShare(root + "/a") + dirShare(root + "/a/b").replace("{name: d}", "{name: e}"),
            "Share/e: spec.storage.directory.path"),
        Arguments.of(share("c", "  quota: 10X\n"), "spec.quota"),
        Arguments.of(share("c", "  guestOk: \"yes\"\n"), "spec.guestOk"));
  }

  @ParameterizedTest
  @MethodSource("hostile")
  void rejectedWithTheFieldNamedAndTheIncludeUnchanged(String doc, String field) throws Exception {
    node.desire(valid + doc);
    Reconciler.PassReport r = node.reconcile();
    String problem = r.sourceProblem().orElse("");
    assertTrue(problem.contains(field), "expected a violation of " + field + ", got: " + problem);
    assertArrayEquals(include, Files.readAllBytes(node.include()), "include file changed");
    assertEquals(0, r.plan().size(), "the last valid state stays in force: " + r.plan());
  }
}
