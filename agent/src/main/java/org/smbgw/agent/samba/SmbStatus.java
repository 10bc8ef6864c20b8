package org.smbgw.agent.samba;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.Trees;

/**
 * Who is connected, from one {@code smbstatus --json}. It has its own short timeout: a slow or
 * hung smbstatus costs the pass its connection counts, never the pass itself.
 */
public final class SmbStatus {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final CommandRunner runner;
  private final SambaTools tools;
  private final Path smbConf;

  public SmbStatus(CommandRunner runner, SambaTools tools, Path smbConf) {
    this.runner = runner;
    this.tools = tools;
    this.smbConf = smbConf;
  }

  /** Per share: sessions with a tree connect to it, its tree connects, and the users behind them. */
  public record ShareConnections(int sessions, int treeConnects, Set<String> users) {}

  /**
   * What smbstatus saw.
   *
   * @param shares by share name
   * @param openFiles by share path (smbstatus names open files by the path of their share)
   * @param sharesByPid the shares each smbd process holds tree connects to
   * @param sessionKinds sessions counted by dialect, signing and encryption
   */
  public record Connections(Map<String, ShareConnections> shares, Map<String, Integer> openFiles,
      Map<Long, Set<String>> sharesByPid, Map<SessionKind, Integer> sessionKinds) {
    public static final Connections UNKNOWN = new Connections(Map.of(), Map.of(), Map.of(), Map.of());
  }

  /**
   * How a session talks: protocol dialect, and the degree of signing and of encryption. A map key
   * on every pass with clients, so its equals, hashCode and toString are written out: a record's
   * own are bootstrapped at run time, about 0.3 MB of method handles kept for the daemon's life.
   */
  public record SessionKind(String dialect, String signing, String encryption) {
    @Override
    public boolean equals(Object o) {
      return o instanceof SessionKind k && dialect.equals(k.dialect) && signing.equals(k.signing)
          && encryption.equals(k.encryption);
    }

    @Override
    public int hashCode() {
      return (dialect.hashCode() * 31 + signing.hashCode()) * 31 + encryption.hashCode();
    }

    @Override
    public String toString() {
      return dialect + "/" + signing + "/" + encryption;
    }
  }

  public Connections read() throws CommandFailedException, IOException {
    String out = runner.run(Command.of(tools.smbstatus(), "--configfile=" + smbConf, "--json").timeout(TIMEOUT)).stdout();
    return parse(out);
  }

  /**
   * Parses Samba 4.17's JSON: tree connects name their share ("service") and session; sessions
   * name their user; open files carry their share's path ("service_path").
   */
  static Connections parse(String json) throws IOException {
    Object root = Trees.PLAIN_JSON.anyFrom(json);
    Map<String, String> userOfSession = new HashMap<>();
    Map<SessionKind, Integer> kinds = new HashMap<>();
    Trees.elements(Trees.get(root, "sessions")).forEach(s -> {
      userOfSession.put(Trees.text(Trees.get(s, "session_id"), ""), Trees.text(Trees.get(s, "username"), ""));
      kinds.merge(new SessionKind(Trees.text(Trees.get(s, "session_dialect"), "unknown"),
          Trees.text(Trees.get(s, "signing", "degree"), "unknown"),
          Trees.text(Trees.get(s, "encryption", "degree"), "unknown")),
          1, Integer::sum);
    });
    Map<String, Set<String>> sessions = new HashMap<>();
    Map<String, Integer> tcons = new HashMap<>();
    Map<Long, Set<String>> byPid = new HashMap<>();
    Map<String, Set<String>> users = new HashMap<>();
    Trees.elements(Trees.get(root, "tcons")).forEach(t -> {
      String share = Trees.text(Trees.get(t, "service"), "");
      String session = Trees.text(Trees.get(t, "session_id"), "");
      sessions.computeIfAbsent(share, k -> new TreeSet<>()).add(session);
      tcons.merge(share, 1, Integer::sum);
      String pid = Trees.text(Trees.get(t, "server_id", "pid"), "");
      if (pid.matches("\\d+")) {
        byPid.computeIfAbsent(Long.parseLong(pid), k -> new TreeSet<>()).add(share);
      }
      String user = userOfSession.get(session);
      if (user != null && !user.isEmpty()) {
        users.computeIfAbsent(share, k -> new TreeSet<>()).add(user);
      }
    });
    Map<String, Integer> openFiles = new HashMap<>();
    Trees.elements(Trees.get(root, "open_files"))
        .forEach(f -> openFiles.merge(Trees.text(Trees.get(f, "service_path"), ""), 1, Integer::sum));
    Map<String, ShareConnections> out = new HashMap<>();
    for (String share : tcons.keySet()) {
      out.put(share, new ShareConnections(sessions.get(share).size(), tcons.get(share),
          users.getOrDefault(share, Set.of())));
    }
    return new Connections(out, openFiles, byPid, kinds);
  }
}
