package org.smbgw.agent.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.agent.AgentMain;

/**
 * A single-node agent in a JVM of its own, as systemd runs it (so that a test can SIGKILL it),
 * with its sandbox smbd on 127.0.0.1 and a free port, its state and desired-state file in a
 * temporary directory. Closing stops the agent, kills whatever it left running there (smbd),
 * removes the test's users and the directory, even when the test failed.
 */
public final class AgentProcess implements AutoCloseable {
  private final Path dir;
  private final int port;
  private final List<String> users = new ArrayList<>();
  private Process process;

  /** @param node the agent's node name; its resync interval is an hour: passes come from starts */
  public AgentProcess(String prefix, String node) throws Exception {
    this(prefix, node, org.smbgw.common.testing.FreePorts.one());
  }

  /** @param port where its smbd listens (445 for clients that know no other, such as smbcacls) */
  public AgentProcess(String prefix, String node, int port) throws Exception {
    this.dir = Files.createTempDirectory(prefix, TestDirs.TRAVERSABLE);
    this.port = port;
    Files.writeString(config(), "node: " + node + "\nstateDir: " + state() + "\ndesiredStateFile: " + desired()
        + "\nunixGroup: smbgwtest\nresyncSeconds: 3600\nsandbox: {port: " + port + "}\ndirectoryRoots: ["
        + directoryRoot() + "]\n");
    Files.createDirectories(directoryRoot());
  }

  public Path dir() {
    return dir;
  }

  /** Where this agent may put directory storage (on the machine's disk: ext4 here). */
  public Path directoryRoot() {
    return dir.resolve("dirs");
  }

  public int port() {
    return port;
  }

  public Path config() {
    return dir.resolve("agent.yaml");
  }

  public Path desired() {
    return dir.resolve("shares.yaml");
  }

  public Path state() {
    return dir.resolve("state");
  }

  /**
   * The shares the agent's status.json reports served, each with its path; empty while there is
   * no status yet (or it is being replaced).
   */
  public java.util.Map<String, String> servedShares() {
    java.util.Map<String, String> out = new java.util.TreeMap<>();
    try {
      for (com.fasterxml.jackson.databind.JsonNode s : new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(state().resolve("status.json").toFile()).path("shares")) {
        if (s.path("state").asText().equals("SHARE_STATE_ACTIVE")) {
          out.put(s.path("name").asText(), s.path("path").asText());
        }
      }
    } catch (java.io.IOException e) {
      // not written yet, or being replaced
    }
    return out;
  }

  /**
   * Whether the last pass found nothing left to do: the status then also has what only a look
   * after the change shows (a new share's usage and storage features). The pass that publishes a
   * share already reports it served.
   */
  public boolean settled() {
    try {
      com.fasterxml.jackson.databind.JsonNode s = new com.fasterxml.jackson.databind.ObjectMapper()
          .readTree(state().resolve("status.json").toFile());
      return s.path("appliedGeneration").asLong(0) > 0
          && s.path("appliedGeneration").asLong() == s.path("passGeneration").asLong();
    } catch (java.io.IOException e) {
      return false; // not written yet, or being replaced
    }
  }

  /** The pid of the sandbox smbd now running. */
  public long smbdPid() throws java.io.IOException {
    try (var files = Files.list(state().resolve("samba/run"))) {
      Path pid = files.filter(f -> f.getFileName().toString().startsWith("smbd") && f.toString().endsWith(".pid"))
          .findFirst().orElseThrow();
      return Long.parseLong(Files.readString(pid).strip());
    }
  }

  /** How many applied steps the agent's audit trail records so far. */
  public long appliedSteps() throws java.io.IOException {
    return Files.readAllLines(state().resolve("audit.log")).stream().filter(l -> l.contains("\"apply\"")).count();
  }

  /** A user name unique to this run, removed on close. */
  public String user(String base) {
    String name = base + Long.toHexString(System.nanoTime() & 0xffff);
    users.add(name);
    return name;
  }

  /** Starts {@code smbgw-agent run} (plus {@code args}); its output goes to agent.log. */
  public Process start(String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), AgentMain.class.getName(), "run", "-c", config().toString()));
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("agent.log").toFile())).start();
    return process;
  }

  /** One pass ({@code run --once}) and its exit code; it stops its sandbox smbd when it exits. */
  public int runOnce() throws Exception {
    return start("--once").waitFor();
  }

  /** SIGKILL, as systemd's watchdog or the OOM killer would: what it started keeps running. */
  public void kill() throws Exception {
    process.destroyForcibly().waitFor();
  }

  @Override
  public void close() throws Exception {
    if (process != null) {
      process.destroy();
      process.waitFor();
    }
    ProcessHandle.allProcesses()
        .filter(h -> h.info().arguments().map(a -> String.join(" ", a).contains(dir.toString())).orElse(false))
        .forEach(h -> {
          h.descendants().forEach(ProcessHandle::destroyForcibly);
          h.destroyForcibly();
        });
    for (String u : users) {
      new ProcessBuilder("userdel", u).start().waitFor();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
