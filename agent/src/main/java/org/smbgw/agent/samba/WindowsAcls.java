package org.smbgw.agent.samba;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * Reads and writes share roots' Windows ACLs through Samba's own VFS, with the {@code ntacl.py}
 * helper beside this class and Debian's python3-samba: the ACL lands where vfs_acl_xattr of that
 * share keeps it, in the format its smbd reads. (smbcacls would need a Samba account's password
 * and port 445; samba-tool ntacl wants a domain SID a standalone server's passdb may not give.)
 * Reading every root is one program call. Runs on the reconcile thread.
 *
 * <p>The helper reads the roots through sections of its own configuration (see the constructor),
 * not through the published shares, so that a new share's root is seeded before clients see it.
 */
public final class WindowsAcls {
  /** Debian's interpreter: python3-samba is installed for it, not for any python3 earlier on PATH. */
  static final String PYTHON = "/usr/bin/python3";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WindowsAcls.class);
  private static final String SCRIPT = script();

  private final CommandRunner runner;
  private final Path smbConf;
  private final Path helperConf;

  /**
   * @param helperConf where the helper's configuration is written for each call: smb.conf (for
   *     its globals: passdb, id mapping) plus one section per root with the VFS settings smbgw
   *     renders for Windows ACLs, so a root can be seeded before its share is published
   */
  public WindowsAcls(CommandRunner runner, Path smbConf, Path helperConf) {
    this.runner = runner;
    this.smbConf = smbConf;
    this.helperConf = helperConf;
  }

  /** Writes the helper's configuration for {@code roots}; section i serves roots' i-th path. */
  private List<String> configure(List<Path> roots) throws IOException {
    StringBuilder b = new StringBuilder("include = ").append(smbConf).append('\n');
    List<String> services = new ArrayList<>();
    for (int i = 0; i < roots.size(); i++) {
      String service = "smbgw-acl-" + i;
      services.add(service);
      b.append('[').append(service).append("]\n\tpath = ").append(roots.get(i)).append('\n');
      IncludeRenderer.WINDOWS_ACL_PARAMS.forEach((k, v) -> b.append('\t').append(k).append(" = ").append(v).append('\n'));
    }
    java.nio.file.Files.createDirectories(helperConf.getParent());
    java.nio.file.Files.writeString(helperConf, b.toString(), StandardCharsets.UTF_8);
    return services;
  }

  private static String script() {
    try (InputStream in = WindowsAcls.class.getResourceAsStream("ntacl.py")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The ACL of each root, read as the named share's smbd would (share name to root).
   *
   * @throws CommandFailedException when the helper fails (python3-samba missing, a root gone)
   */
  public Map<Path, NtAcl> read(List<Path> roots) throws CommandFailedException, IOException {
    Map<Path, NtAcl> out = new LinkedHashMap<>();
    if (roots.isEmpty()) {
      return out;
    }
    List<String> services = configure(roots);
    List<String> argv = new ArrayList<>(List.of(PYTHON, "-c", SCRIPT, helperConf.toString(), "get"));
    for (int i = 0; i < roots.size(); i++) {
      argv.add(services.get(i));
      argv.add(roots.get(i).toString());
    }
    CommandResult r = runner.run(Command.of(argv));
    for (String line : r.stdout().split("\n")) {
      if (!line.isBlank()) {
        try {
          JsonNode j = JSON.readTree(line);
          if (j.has("error")) {
            // That root's share is served by its lists (never opened wider); the others go on.
            log.warn("Windows ACL of {} cannot be read: {}", j.get("path").asText(), j.get("error").asText());
          } else {
            out.put(Path.of(j.get("path").asText()), parse(j));
          }
        } catch (IOException e) {
          throw new CommandFailedException(r.command(), 0, line, "the ACL helper printed what is not an ACL");
        }
      }
    }
    return out;
  }

  /** Writes {@code acl} (owner, group, DACL) on {@code root}. */
  public void write(Path root, NtAcl acl) throws CommandFailedException, IOException {
    String service = configure(List.of(root)).get(0);
    runner.run(Command.of(PYTHON, "-c", SCRIPT, helperConf.toString(), "set", service, root.toString())
        .stdin(json(acl).toString()));
  }

  /**
   * Carries a change of {@code root}'s inheritable entries into the inherited copies on what lies
   * below it, as Explorer does when a folder's permissions change: a reader added to the lists
   * reads what exists already. Objects whose inheritance an administrator blocked keep their ACL.
   * Walks the whole share, so it may take long: {@code timeout}.
   */
  public void propagate(Path root, List<NtAcl.Ace> added, List<NtAcl.Ace> removed, java.time.Duration timeout)
      throws CommandFailedException, IOException {
    propagate(root, added, removed, false, timeout);
  }

  /**
   * The first ACL of a root that held files before it was shared: what lies below without an ACL
   * of its own gets the root's inheritable entries (otherwise, with "default acl style = windows",
   * only each file's owner could reach it).
   */
  public void adopt(Path root, List<NtAcl.Ace> inheritable, java.time.Duration timeout)
      throws CommandFailedException, IOException {
    propagate(root, inheritable, List.of(), true, timeout);
  }

  private void propagate(Path root, List<NtAcl.Ace> added, List<NtAcl.Ace> removed, boolean adopt,
      java.time.Duration timeout) throws CommandFailedException, IOException {
    if (added.isEmpty() && removed.isEmpty()) {
      return;
    }
    String service = configure(List.of(root)).get(0);
    ObjectNode o = JSON.createObjectNode().put("adopt", adopt);
    ArrayNode a = o.putArray("added");
    added.forEach(x -> a.add(aceJson(x)));
    ArrayNode r = o.putArray("removed");
    removed.forEach(x -> r.add(aceJson(x)));
    runner.run(Command.of(PYTHON, "-c", SCRIPT, helperConf.toString(), "propagate", service, root.toString())
        .stdin(o.toString()).timeout(timeout));
  }

  private static ObjectNode aceJson(NtAcl.Ace a) {
    return JSON.createObjectNode().put("type", a.type()).put("flags", a.flags()).put("mask", a.mask()).put("sid", a.sid());
  }

  /** Removes the stored ACL from {@code root} (undo of a first seeding): Samba shows mode bits again. */
  public void clear(Path root) throws CommandFailedException {
    runner.run(Command.of("/usr/bin/setfattr", "-x", "security.NTACL", root.toString()));
  }

  static NtAcl parse(JsonNode j) {
    List<NtAcl.Ace> aces = new ArrayList<>();
    j.get("aces").forEach(a -> aces.add(new NtAcl.Ace(a.get("type").asInt(), a.get("flags").asInt(),
        a.get("mask").asInt(), a.get("sid").asText())));
    return new NtAcl(j.get("stored").asBoolean(), j.get("owner").asText(), j.get("group").asText(),
        j.get("control").asInt(), aces);
  }

  static ObjectNode json(NtAcl acl) {
    ObjectNode o = JSON.createObjectNode().put("owner", acl.owner()).put("group", acl.group())
        .put("control", acl.control());
    ArrayNode aces = o.putArray("aces");
    acl.aces().forEach(a -> aces.addObject().put("type", a.type()).put("flags", a.flags()).put("mask", a.mask())
        .put("sid", a.sid()));
    return o;
  }
}
