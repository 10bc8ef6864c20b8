package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.codahale.metrics.MetricRegistry;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import net.jqwik.api.statistics.Statistics;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.reconcile.Reconciler;
import org.smbgw.agent.testing.SandboxAgent;
import org.smbgw.agent.testing.TestTimeouts;

/**
 * Issue 12's promise, tried on generated input through a sandboxed agent and the real testparm:
 * whatever validation accepts is published, and {@code testparm -s} reads the include file back
 * with exactly the sections, paths and access lists meant; whatever it rejects leaves the include
 * file byte for byte as it was. The generators mix ordinary words with what Samba's parser misreads
 * (double and edge spaces, a backslash before the line end, case twins, lookalike spaces, newlines,
 * {@code include =}, {@code ..}, nested directories). Each try is one reconcile pass with up to
 * four shares, so the tries stay few.
 */
class AcceptedInputReadsBackAsMeantProperties {
  private static SandboxAgent node;
  private static CommandRunner runner;
  private static final ObjectMapper JSON = new ObjectMapper();

  @BeforeContainer
  static void start() throws Exception {
    node = new SandboxAgent().start();
    // The first pass hooks the include into smb.conf and writes it with no shares: the baseline
    // every later try is compared with.
    node.desire("");
    node.reconcile();
    assertTrue(Files.exists(node.include()), "the first pass writes the include file");
    runner = new CommandRunner(new AgentMetrics(new MetricRegistry()), TestTimeouts.seconds(30));
  }

  @AfterContainer
  static void stop() throws Exception {
    try (SandboxAgent n = node; CommandRunner r = runner) {
      // closed in reverse order
    }
  }

  record Candidate(String name, String comment, String path, List<String> readers, List<String> writers,
      List<String> admins) {}

  private static Arbitrary<String> joined(int min, int max, String... tokens) {
    return Arbitraries.of(tokens).list().ofMinSize(min).ofMaxSize(max).map(l -> String.join("", l));
  }

  /** Three times in four {@code fair}; otherwise {@code fair} with one of {@code hostile} put in. */
  private static Arbitrary<String> mostly(Arbitrary<String> fair, String... hostile) {
    Arbitrary<String> spoiled = Combinators.combine(fair, Arbitraries.of(hostile), Arbitraries.integers().between(0, 2))
        .as((f, h, where) -> where == 0 ? h + f : where == 1 ? f + h : f.substring(0, f.length() / 2) + h
            + f.substring(f.length() / 2));
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(3, fair), net.jqwik.api.Tuple.of(1, spoiled));
  }

  @Provide
  Arbitrary<List<Candidate>> states() {
    // Each field is mostly drawn from words Samba reads back as written, sometimes from a mix with
    // what it misreads, so that about half the states are accepted.
    Arbitrary<String> names = mostly(joined(1, 3, "team", "Docs", "k", "\u212a", "s", "\u017f", "\u00e9", "e\u0301",
        "\u0131", "I", "$", "-", "a b"), " ", "  ", "\u00a0", "]", "\u200b", "x\nroot preexec = id", "homes");
    Arbitrary<String> comments = mostly(joined(0, 3, "Team files", "x", "#", ";", "a=b", "\"q\"", "\u00fc", "a\\b",
        "include = /etc/passwd"), "\\", " ", "  ", "\n\tpath = /", "%U", "\u3000", "x\\ ");
    Arbitrary<String> components = mostly(joined(1, 2, "d1", "d2", "a b", "sub", "\u00e9", "#"), "  ", " ", "..",
        "\\", "\u00a0");
    Arbitrary<String> paths = components.list().ofMinSize(1).ofMaxSize(2).map(l -> String.join("/", l));
    Arbitrary<List<String>> users = Arbitraries.of("alice", "bob", "_svc", "Alice", "root preexec", "a,b", "+staff",
        "carol\n", "alice", "bob").list().ofMaxSize(2);
    Arbitrary<List<String>> groups = Arbitraries.of("staff", "wheel", "g-1").list().ofMaxSize(2)
        .map(l -> l.stream().map(g -> "@" + g).toList());
    Arbitrary<List<String>> access = Combinators.combine(users, groups).as((u, g) -> {
      List<String> all = new ArrayList<>(u);
      all.addAll(g);
      return all;
    });
    Arbitrary<Candidate> share = Combinators.combine(names, comments, paths, access, access, access)
        .as((n, c, p, r, w, a) -> new Candidate(n, c, p, r.isEmpty() && w.isEmpty() && a.isEmpty() ? List.of("@staff") : r,
            w, a));
    return share.list().ofMinSize(1).ofMaxSize(4);
  }

  @Property(tries = 40)
  void acceptedInputReadsBackAsMeantAndRejectedInputChangesNothing(@ForAll("states") List<Candidate> state)
      throws Exception {
    byte[] before = Files.exists(node.include()) ? Files.readAllBytes(node.include()) : new byte[0];
    node.desire(yaml(state));
    Reconciler.PassReport r = node.reconcile();
    Statistics.collect(r.sourceProblem().isPresent() ? "rejected" : "accepted");
    // A property that only ever sees rejected input proves nothing about publishing.
    Statistics.coverage(c -> {
      c.check("accepted").count(n -> n >= 5);
      c.check("rejected").count(n -> n >= 5);
    });
    if (r.sourceProblem().isPresent()) {
      assertArrayEquals(before, Files.exists(node.include()) ? Files.readAllBytes(node.include()) : new byte[0],
          "rejected input changed the include file: " + r.sourceProblem().get());
      assertEquals(0, r.plan().size(), "rejected input planned steps: " + r.plan());
      return;
    }
    assertEquals(Map.of(), r.outcome().errors(), "accepted input was not published");
    Map<String, Map<String, String>> read = TestparmReport.parameters(
        runner.run(Command.of(SambaTools.defaults().testparm(), "-s", "--suppress-prompt", node.include().toString()))
            .stdout());
    Map<String, Candidate> meant = new LinkedHashMap<>();
    state.forEach(c -> meant.put(c.name(), c));
    assertEquals(meant.keySet(), read.keySet(), "sections");
    for (Candidate c : state) {
      Map<String, String> got = read.get(c.name());
      String where = "share " + c.name() + ": ";
      assertEquals(root() + "/" + c.path(), got.get("path"), where + "path");
      assertEquals(c.comment().isEmpty() ? null : c.comment(), got.get("comment"), where + "comment");
      Set<String> valid = new TreeSet<>(c.readers());
      valid.addAll(c.writers());
      valid.addAll(c.admins());
      Set<String> writers = new TreeSet<>(c.writers());
      writers.addAll(c.admins());
      assertEquals(valid, tokens(got.get("valid users")), where + "valid users");
      if (tokens(got.get("vfs objects")).contains("acl_xattr")) {
        // Windows ACLs (a root on storage with extended attributes): the lists say who connects,
        // the ACL they seeded who writes; there is no write list.
        assertEquals("No", got.get("read only"), where + "read only");
        assertEquals(null, got.get("write list"), where + "write list");
      } else {
        assertEquals(writers, tokens(got.get("write list")), where + "write list");
      }
      assertEquals(new TreeSet<>(c.admins()), tokens(got.get("admin users")), where + "admin users");
      assertEquals(null, got.get("read list"), where + "read list");
    }
  }

  private static Set<String> tokens(String list) {
    return list == null ? Set.of() : new TreeSet<>(List.of(list.split(" ")));
  }

  private static String root() {
    return node.directoryRoot().toString();
  }

  /** The state as a desired-state file: one JSON document per share (JSON is YAML). */
  private static String yaml(List<Candidate> state) throws Exception {
    StringBuilder b = new StringBuilder();
    for (Candidate c : state) {
      Map<String, Object> spec = new LinkedHashMap<>();
      spec.put("storage", Map.of("directory", Map.of("path", root() + "/" + c.path())));
      if (!c.comment().isEmpty()) {
        spec.put("comment", c.comment());
      }
      spec.put("read", access(c.readers()));
      spec.put("write", access(c.writers()));
      spec.put("admin", access(c.admins()));
      b.append("---\n").append(JSON.writeValueAsString(Map.of("apiVersion", "smbgw/v1", "kind", "Share",
          "metadata", Map.of("name", c.name()), "spec", spec))).append('\n');
    }
    return b.toString();
  }

  private static Map<String, List<String>> access(List<String> names) {
    return Map.of("users", names.stream().filter(n -> !n.startsWith("@")).toList(),
        "groups", names.stream().filter(n -> n.startsWith("@")).map(n -> n.substring(1)).toList());
  }
}
