package org.smbgw.agent.samba;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.smbgw.agent.acl.Inheritance;
import org.smbgw.agent.acl.Sddl;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.AtomicFile;
import org.smbgw.common.Trees;

/**
 * Windows ACLs of shares, read and written through Samba's own VFS stack for the share, so they
 * are stored exactly as smbd stores what a Windows client sets (vfs_acl_xattr, with the share's
 * options), by {@code ntacl-tree.py} (shipped in the agent's jar), which uses Samba's Python
 * bindings for many files, or many roots, in one process: Samba's own tools take a quarter of a
 * second for each.
 */
public final class NtAcls {
  private static final String HELPER = "ntacl-tree.py";

  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path smbConf;
  private final Path helperDir;
  private final Duration budget;

  /**
   * @param helperDir where the tree helper is written from the agent's jar (the agent's state
   *     directory), and its work files kept
   * @param budget how long one run of the tree helper may work (well inside the command timeout)
   */
  public NtAcls(CommandRunner runner, SambaTools tools, Path smbConf, Path helperDir, Duration budget) {
    this.runner = runner;
    this.tools = tools;
    this.smbConf = smbConf;
    this.helperDir = helperDir;
    this.budget = budget;
  }

  /** A share's root. */
  public record Root(Path path, String share) {}

  /** What is done once a root's ACL is set. */
  @FunctionalInterface
  public interface Then {
    void run() throws Exception;
  }

  /** Sets staged while a batch is open (reconcile thread only). */
  private Batch batch;
  /**
   * The stored ACL's hash when each root was last read ("" for none): a root is set only if it
   * still has the ACL its new one was computed from, or an administrator's change made in between
   * would be lost.
   */
  private final Map<Path, String> readAs = new HashMap<>();

  /**
   * Share roots' ACLs read and set together: for each root alone, Samba's tools start, load
   * smb.conf with every share in it and set one ACL, a quarter of a second or more, which made
   * a thousand new shares take minutes. Inside a batch, {@link #set} only stages; {@link
   * Batch#flush} sets every staged ACL in one run of the helper.
   */
  public final class Batch implements AutoCloseable {
    private final Map<Path, Optional<Sddl>> read = new HashMap<>();
    private final Map<Path, Staged> staged = new LinkedHashMap<>();

    private record Staged(Root root, Sddl acl, Then then) {}

    /** Reads the ACLs of {@code roots} now, in one run, for {@link #current}. */
    public void prefetch(List<Root> roots) throws CommandFailedException, IOException {
      for (Map.Entry<Path, Object> e : roots(roots, null).entrySet()) {
        if (e.getValue() instanceof Sddl acl) {
          read.put(e.getKey(), Optional.of(acl));
        } else if (e.getValue() == NONE) {
          read.put(e.getKey(), Optional.empty());
        }
      }
    }

    /**
     * Sets every staged ACL and then runs what follows each; returns why each root that failed
     * did, by root (its {@link Then} did not run).
     */
    public Map<Path, String> flush() {
      Map<Path, String> failed = new HashMap<>();
      List<Staged> all = new ArrayList<>(staged.values());
      staged.clear();
      // Keyed by path, not by Root: a record as a key costs its hashCode's bootstrap (method
      // handles spun at run time, about 0.3 MB resident for the agent's life).
      Map<Path, Sddl> acls = new HashMap<>();
      all.forEach(st -> acls.put(st.root().path(), st.acl()));
      Map<Path, Object> done;
      try {
        done = roots(all.stream().map(Staged::root).toList(), acls);
      } catch (CommandFailedException | IOException e) {
        // One root may have brought the whole run down: each alone, so the others are set.
        done = new HashMap<>();
        for (Staged st : all) {
          try {
            done.putAll(roots(List.of(st.root()), acls));
          } catch (CommandFailedException | IOException alone) {
            done.put(st.root().path(), alone.getMessage());
          }
        }
      }
      for (Staged st : all) {
        Object r = done.get(st.root().path());
        if (r instanceof String why) {
          failed.put(st.root().path(), why);
          continue;
        }
        try {
          st.then().run();
        } catch (Exception e) {
          failed.put(st.root().path(), "its ACL is set, but " + e.getMessage());
        }
      }
      return failed;
    }

    @Override
    public void close() {
      batch = null;
      readAs.clear();
    }
  }

  /** Opens a batch: sets stage until it is flushed; closing it drops what was not flushed. */
  public Batch batch() {
    batch = new Batch();
    return batch;
  }

  /** The root's ACL as stored, or empty where none is; from a batch's prefetch if there is one. */
  public Optional<Sddl> current(Root root) throws CommandFailedException, IOException {
    if (batch != null && batch.read.containsKey(root.path())) {
      return batch.read.get(root.path());
    }
    Object r = roots(List.of(root), null).get(root.path());
    if (r instanceof String why) {
      throw new IOException("cannot read the ACL of " + root.path() + ": " + why);
    }
    return r instanceof Sddl acl ? Optional.of(acl) : Optional.empty();
  }

  /**
   * Sets a root's owner, group and DACL through the share's VFS stack, then runs {@code then};
   * inside a batch, only stages both until {@link Batch#flush}.
   */
  public void set(Root root, Sddl acl, Then then) throws Exception {
    if (batch != null) {
      if (batch.staged.putIfAbsent(root.path(), new Batch.Staged(root, acl, then)) != null) {
        throw new IllegalStateException(root.path() + " is the root of another share being given its ACL");
      }
      return;
    }
    Object r = roots(List.of(root), Map.of(root.path(), acl)).get(root.path());
    if (r instanceof String why) {
      throw new IOException("cannot set the ACL of " + root.path() + ": " + why);
    }
    then.run();
  }

  private static final Object NONE = new Object();
  /** Roots per run of the helper: about a millisecond and a half each, well inside the command timeout. */
  private static final int ROOTS_PER_RUN = 1000;

  /**
   * Reads ({@code acls} null) or sets the ACLs of {@code roots}; by root: its ACL ({@link Sddl}),
   * {@link #NONE}, or why it failed (a String). A set root maps to null.
   */
  private Map<Path, Object> roots(List<Root> roots, Map<Path, Sddl> acls) throws CommandFailedException,
      IOException {
    Map<Path, Object> out = new HashMap<>();
    Path work = Files.createDirectories(helperDir.resolve("acl-roots"));
    Path in = work.resolve("in.jsonl");
    Path answers = work.resolve("out.jsonl");
    try {
      for (int from = 0; from < roots.size(); from += ROOTS_PER_RUN) {
        try (BufferedWriter w = Files.newBufferedWriter(in)) {
          for (Root r : roots.subList(from, Math.min(roots.size(), from + ROOTS_PER_RUN))) {
            w.write(rootLine(r, acls == null ? null : acls.get(r.path()), readAs.get(r.path())));
            w.write('\n');
          }
        }
        Files.deleteIfExists(answers);
        helper(acls == null ? "roots-get" : "roots-set", smbConf.toString(), in.toString(), answers.toString());
        for (String line : Files.readAllLines(answers)) {
          Map<String, Object> n = Trees.map(Trees.PLAIN_JSON.anyFrom(line));
          Path root = Path.of(Trees.text(n.get("root"), ""));
          if (n.get("error") != null) {
            out.put(root, Trees.text(n.get("error"), ""));
          } else if (acls != null) {
            out.put(root, null);
            readAs.remove(root);
          } else {
            readAs.put(root, Trees.text(n.get("hash"), ""));
            out.put(root, n.get("sddl") != null ? Sddl.parse(Trees.text(n.get("sddl"), "")) : NONE);
          }
        }
      }
      for (Root r : roots) {
        if (!out.containsKey(r.path())) {
          out.put(r.path(), "the ACL helper gave no answer for it");
        }
      }
      return out;
    } finally {
      Files.deleteIfExists(in);
      Files.deleteIfExists(answers);
    }
  }

  /**
   * What passing a root's ACL down did.
   *
   * @param failures why the first of those that could not be set failed ("path: why")
   * @param failed how many could not be set
   * @param missed how many were gone, moved or changed between being listed, read and set (what
   *     they should get is then not known: the pass-down is done again)
   */
  public record PassedDown(Inheritance.Summary summary, List<String> failures, int failed, int missed) {}

  /** An ACL longer than this is left as it is: the walk holds the ACL of every folder above it. */
  static final int LARGEST_ACL = 64 * 1024;

  /**
   * Passes the ACL of {@code root} down to every folder and regular file under it, as {@code
   * walk} decides, through the share's VFS stack. The tree is read in pieces, each set right
   * after it is read: each run of the helper does at most {@link #budget} of work (so no program
   * outlives the command timeout, and the time between reading a file and setting it stays
   * short), and the agent holds one piece, and the folders above, whatever the tree's size.
   */
  public PassedDown passDown(Path root, String share, Inheritance.Walk walk) throws CommandFailedException,
      IOException {
    Path work = helperDir.resolve("acl-pass-down");
    Files.createDirectories(work);
    Path resume = work.resolve("resume.json");
    Path piece = work.resolve("piece.jsonl");
    Path changes = work.resolve("changes.jsonl");
    Path result = work.resolve("result.jsonl");
    try {
      Files.writeString(resume, "");
      Tally tally = new Tally();
      boolean done;
      do {
        Map<String, Object> run = Trees.map(Trees.PLAIN_JSON.anyFrom(helper("dump", root.toString(), share,
            smbConf.toString(), piece.toString(), resume.toString(), seconds(budget))));
        done = Boolean.TRUE.equals(run.get("done"));
        int missed = (int) Trees.number(run.get("missed"), 0);
        if (!done && Trees.number(run.get("read"), 0) + missed == 0) {
          throw new IOException("the ACL helper read nothing more of " + root + " in its last run");
        }
        tally.missed += missed;
        if (walkPiece(piece, changes, walk) > 0) {
          set(root, share, changes, result, tally);
        }
      } while (!done);
      return new PassedDown(walk.summary(), tally.failures, tally.failed, tally.missed);
    } finally {
      for (Path p : List.of(resume, piece, changes, result)) {
        Files.deleteIfExists(p);
      }
    }
  }

  /** What the helper's runs reported. */
  private static final class Tally {
    final List<String> failures = new ArrayList<>();
    int failed;
    int missed;
  }

  /** Walks one piece of the tree; writes its changes; how many. */
  private static int walkPiece(Path piece, Path changes, Inheritance.Walk walk) throws IOException {
    int count = 0;
    try (BufferedReader in = Files.newBufferedReader(piece); BufferedWriter out = Files.newBufferedWriter(changes)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.isBlank()) {
          continue;
        }
        Optional<Inheritance.Change> c = walk.next(node(Trees.map(Trees.PLAIN_JSON.anyFrom(line))));
        if (c.isPresent()) {
          out.write(changeLine(c.get()));
          out.write('\n');
          count++;
        }
      }
    }
    return count;
  }

  /**
   * One change for the helper's set: the file as it was read (its inode, its folder's, and the hash
   * of its stored ACL; null where it had none) and the ACL to give it.
   */
  static String changeLine(Inheritance.Change c) throws IOException {
    Inheritance.Node n = c.read();
    Map<String, Object> change = new LinkedHashMap<>();
    change.put("path", n.path());
    change.put("ino", n.ino());
    change.put("pino", n.pino() < 0 ? null : n.pino());
    change.put("dir", n.dir());
    change.put("hash", n.hash());
    change.put("sddl", c.acl().text());
    return Trees.PLAIN_JSON.asString(change);
  }

  /** Sets one piece's changes, in as many runs as it takes. */
  private void set(Path root, String share, Path changes, Path result, Tally tally) throws CommandFailedException,
      IOException {
    for (int next = 0; next >= 0; ) {
      Files.deleteIfExists(result);
      helper("set", root.toString(), share, smbConf.toString(), changes.toString(), Integer.toString(next),
          seconds(budget), result.toString());
      int from = next;
      Map<String, Object> end = null;
      for (String line : Files.readAllLines(result)) {
        Map<String, Object> n = Trees.map(Trees.PLAIN_JSON.anyFrom(line));
        if (n.containsKey("next")) {
          end = n;
        } else if (tally.failures.size() < 20) {
          tally.failures.add(printable(Trees.text(n.get("path"), "")) + ": " + Trees.text(n.get("error"), ""));
        }
      }
      if (end == null || !Trees.isWhole(end.get("next"))) {
        throw new IOException("the ACL helper did not say how far it got in " + changes);
      }
      tally.failed += (int) Trees.number(end.get("failed"), 0);
      tally.missed += (int) Trees.number(end.get("missed"), 0);
      next = (int) Trees.number(end.get("next"), -1);
      if (next >= 0 && next <= from) {
        throw new IOException("the ACL helper made no progress from line " + from + " of its changes");
      }
    }
  }

  /**
   * One root for the helper's roots-get (no {@code acl}) or roots-set. {@code readAs} is the hash
   * of the ACL it was read with: "" for none stored, which the helper is told as
   * {@code "expect": null} (refuse to set if one appeared since); without it, no expectation.
   */
  static String rootLine(Root r, Sddl acl, String readAs) throws IOException {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("root", r.path().toString());
    line.put("service", r.share());
    if (acl != null) {
      line.put("sddl", acl.text());
      if (readAs != null) {
        line.put("expect", readAs.isEmpty() ? null : readAs);
      }
    }
    return Trees.PLAIN_JSON.asString(line);
  }

  private String helper(String... args) throws CommandFailedException, IOException {
    List<String> argv = new ArrayList<>(List.of(tools.python(), "-I", helper().toString()));
    argv.addAll(List.of(args));
    return runner.run(Command.of(argv)).stdout();
  }

  private static String seconds(Duration d) {
    return Double.toString(d.toMillis() / 1000.0);
  }

  /** One line of the helper's tree. */
  static Inheritance.Node node(Map<String, Object> n) throws IOException {
    if (!(n.get("path") instanceof String path) || !Trees.isWhole(n.get("ino")) || !Trees.isWhole(n.get("up"))
        || !(n.get("dir") instanceof Boolean dir)) {
      throw new IOException("the ACL helper wrote a line without path, ino, up and dir: " + n.keySet());
    }
    String problem = Trees.text(n.get("error"), null);
    Sddl acl = null;
    if (n.get("sddl") != null) {
      String text = Trees.text(n.get("sddl"), "");
      try {
        if (text.length() > LARGEST_ACL) {
          throw new IllegalArgumentException("its ACL is too large to pass down (" + text.length() + " characters)");
        }
        acl = Sddl.parse(text);
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
    }
    return new Inheritance.Node(path, Trees.number(n.get("ino"), -1), Trees.number(n.get("pino"), -1),
        (int) Trees.number(n.get("up"), 0), dir, Trees.text(n.get("hash"), null), acl, problem);
  }

  /** A path from the helper, for messages: its bytes as UTF-8, control characters escaped. */
  public static String printable(String hex) {
    String text;
    try {
      text = new String(HexFormat.of().parseHex(hex), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return hex;
    }
    StringBuilder b = new StringBuilder();
    text.codePoints().forEach(c -> {
      if (Character.isISOControl(c)) {
        b.append(String.format("\\x%02x", c));
      } else {
        b.appendCodePoint(c);
      }
    });
    return b.isEmpty() ? "/" : b.toString();
  }

  /** Where the helper was written by this agent, once; null before its first use. */
  private Path written;

  /**
   * The helper, written from the jar on first use when the state directory does not hold it as
   * shipped (an upgrade brings a new one); later runs only check it is still there.
   */
  private Path helper() throws IOException {
    Path p = helperDir.resolve(HELPER);
    if (written != null && Files.exists(p)) {
      return written;
    }
    byte[] shipped;
    try (InputStream in = NtAcls.class.getResourceAsStream(HELPER)) {
      if (in == null) {
        throw new IOException(HELPER + " is missing from the agent's jar");
      }
      shipped = in.readAllBytes();
    }
    if (!Files.exists(p) || !Arrays.equals(Files.readAllBytes(p), shipped)) {
      AtomicFile.replace(p, shipped);
    }
    written = p;
    return p;
  }
}
