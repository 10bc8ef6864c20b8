package org.smbgw.agent.samba;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
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

/**
 * Windows ACLs of shares, read and written through Samba's own VFS stack for the share, so they
 * are stored exactly as smbd stores what a Windows client sets (vfs_acl_xattr, with the share's
 * options): a root's with {@code samba-tool ntacl --use-s3fs --service}, a whole tree's with
 * {@code ntacl-tree.py} (shipped in the agent's jar), which does the same for many files in one
 * process (samba-tool takes a quarter of a second for each). samba-tool reads the domain SID Samba keeps to read SDDL;
 * {@link SambaIds#setMachine} sets it.
 */
public final class NtAcls {
  private static final String HELPER = "ntacl-tree.py";
  private static final ObjectMapper JSON = new ObjectMapper();

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

  /** The ACL of {@code path} as share {@code share} serves it. */
  public Sddl get(Path path, String share) throws CommandFailedException {
    String out = runner.run(Command.of(tools.sambaTool(), "ntacl", "get", "--as-sddl", path.toString(), "--use-s3fs",
        "--service=" + share, "--configfile=" + smbConf)).stdout();
    return Sddl.parse(out.strip());
  }

  public void set(Path path, String share, Sddl acl) throws CommandFailedException {
    runner.run(Command.of(tools.sambaTool(), "ntacl", "set", acl.text(), path.toString(), "--use-s3fs",
        "--service=" + share, "--configfile=" + smbConf));
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
        JsonNode run = JSON.readTree(helper("dump", root.toString(), share, smbConf.toString(), piece.toString(),
            resume.toString(), seconds(budget)));
        done = run.path("done").asBoolean();
        if (!done && run.path("read").asInt() + run.path("missed").asInt() == 0) {
          throw new IOException("the ACL helper read nothing more of " + root + " in its last run");
        }
        tally.missed += run.path("missed").asInt();
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
        Optional<Inheritance.Change> c = walk.next(node(JSON.readTree(line)));
        if (c.isPresent()) {
          Inheritance.Node n = c.get().read();
          Map<String, Object> change = new LinkedHashMap<>();
          change.put("path", n.path());
          change.put("ino", n.ino());
          change.put("pino", n.pino() < 0 ? null : n.pino());
          change.put("dir", n.dir());
          change.put("hash", n.hash());
          change.put("sddl", c.get().acl().text());
          out.write(JSON.writeValueAsString(change));
          out.write('\n');
          count++;
        }
      }
    }
    return count;
  }

  /** Sets one piece's changes, in as many runs as it takes. */
  private void set(Path root, String share, Path changes, Path result, Tally tally) throws CommandFailedException,
      IOException {
    for (int next = 0; next >= 0; ) {
      Files.deleteIfExists(result);
      helper("set", root.toString(), share, smbConf.toString(), changes.toString(), Integer.toString(next),
          seconds(budget), result.toString());
      int from = next;
      JsonNode end = null;
      for (String line : Files.readAllLines(result)) {
        JsonNode n = JSON.readTree(line);
        if (n.has("next")) {
          end = n;
        } else if (tally.failures.size() < 20) {
          tally.failures.add(printable(n.path("path").asText()) + ": " + n.path("error").asText());
        }
      }
      if (end == null) {
        throw new IOException("the ACL helper did not say how far it got in " + changes);
      }
      tally.failed += end.get("failed").asInt();
      tally.missed += end.get("missed").asInt();
      next = end.get("next").asInt();
      if (next >= 0 && next <= from) {
        throw new IOException("the ACL helper made no progress from line " + from + " of its changes");
      }
    }
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
  static Inheritance.Node node(JsonNode n) {
    String problem = n.hasNonNull("error") ? n.get("error").asText() : null;
    Sddl acl = null;
    if (n.hasNonNull("sddl")) {
      String text = n.get("sddl").asText();
      try {
        if (text.length() > LARGEST_ACL) {
          throw new IllegalArgumentException("its ACL is too large to pass down (" + text.length() + " characters)");
        }
        acl = Sddl.parse(text);
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
    }
    return new Inheritance.Node(n.get("path").asText(), n.get("ino").asLong(),
        n.hasNonNull("pino") ? n.get("pino").asLong() : -1, n.get("up").asInt(), n.get("dir").asBoolean(),
        n.hasNonNull("hash") ? n.get("hash").asText() : null, acl, problem);
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

  /** The helper, written from the jar when it is not there as shipped. */
  private Path helper() throws IOException {
    byte[] shipped;
    try (InputStream in = NtAcls.class.getResourceAsStream(HELPER)) {
      if (in == null) {
        throw new IOException(HELPER + " is missing from the agent's jar");
      }
      shipped = in.readAllBytes();
    }
    Path p = helperDir.resolve(HELPER);
    if (!Files.exists(p) || !Arrays.equals(Files.readAllBytes(p), shipped)) {
      Files.createDirectories(helperDir);
      Path tmp = Files.createTempFile(helperDir, HELPER, ".tmp");
      Files.write(tmp, shipped);
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
    return p;
  }
}
