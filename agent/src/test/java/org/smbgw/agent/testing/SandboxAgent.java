package org.smbgw.agent.testing;

import com.codahale.metrics.MetricRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.smbgw.agent.Agent;
import org.smbgw.agent.config.AgentConfig;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.metrics.AgentMetrics;
import org.smbgw.agent.reconcile.Reconciler;

/**
 * An agent in the sandbox profile (its own smbd on 127.0.0.1 and a free port, private state in a
 * temporary directory) reading a desired-state file the test writes. Removes the system accounts
 * the test's users got, even when the test fails.
 */
public final class SandboxAgent implements AutoCloseable {
  public static final String GROUP = "smbgwtest";
  private final Path dir;
  private final Path desiredFile;
  private final int port;
  private final List<String> users = new ArrayList<>();
  private List<String> coordinators = List.of();
  private int resyncSeconds = 3600;
  private String smbstatus;

  private String address = "127.0.0.1";

  /** Serves on this address instead of 127.0.0.1 (one end of a veth pair the test made). */
  public SandboxAgent address(String address) {
    this.address = address;
    return this;
  }

  /** Uses another smbstatus program (tests replace it with one that hangs). */
  public SandboxAgent smbstatus(String program) {
    this.smbstatus = program;
    return this;
  }
  private boolean loop;
  private boolean profiling;

  /** Turns on smbd's profiling counters (samba.profiling). */
  public SandboxAgent profiling() {
    this.profiling = true;
    return this;
  }

  /** Runs the agent's own loop (timer and triggers) with this resync interval, as a daemon would. */
  public SandboxAgent looping(int resync) {
    this.resyncSeconds = resync;
    this.loop = true;
    return this;
  }

  /** Cluster mode: take the desired state from these coordinators instead of the file. */
  /** Cluster mode's TLS files: a certificate of node "test" ({@code TestPki.node("test")}). */
  public SandboxAgent tls(org.smbgw.common.tls.TlsConfig files) {
    this.tls = files;
    return this;
  }

  public SandboxAgent coordinators(List<String> addresses) {
    this.coordinators = List.copyOf(addresses);
    return this;
  }

  /** Writes the node's Proxmox storage.cfg. */
  public SandboxAgent storageCfg(String text) throws Exception {
    Files.writeString(dir.resolve("storage.cfg"), text);
    return this;
  }
  private Agent agent;
  private org.smbgw.common.tls.TlsConfig tls;
  private final MetricRegistry registry = new MetricRegistry();

  /** The agent's metrics: what it timed and counted. */
  public MetricRegistry metrics() {
    return registry;
  }

  /** Whole looks so far (zfs get, pdbedit, net getdomainsid, smbstatus). */
  public long wholeLooks() {
    return registry.timer("smbgw.agent.reconcile.observe").getCount();
  }

  /** Passes planned on the last look so far (see {@code reconcile.QuickLook}). */
  public long quickPasses() {
    return registry.counter("smbgw.agent.reconcile.quick").getCount();
  }

  public SandboxAgent() throws Exception {
    this.dir = Files.createTempDirectory("smbgw-agent-", TestDirs.TRAVERSABLE);
    this.desiredFile = dir.resolve("shares.yaml");
    this.port = org.smbgw.common.testing.FreePorts.one();
    Files.writeString(desiredFile, "");
  }

  public AgentConfig config() {
    return new AgentConfig("test", dir.resolve("state"), desiredFile, List.of(dir.resolve("dirs")),
        GROUP, resyncSeconds, 60, smbstatus == null && !profiling ? null : new AgentConfig.Samba(null, null, smbstatus, profiling), null, new AgentConfig.Sandbox(address, port, null, null, null), coordinators,
        dir.resolve("storage.cfg"), "127.0.0.1:0", null, tls).withDefaults();
  }

  public SandboxAgent start() throws Exception {
    Files.createDirectories(dir.resolve("dirs"));
    agent = new Agent(config(), registry);
    agent.start(loop);
    return this;
  }

  /** Stops the agent without cleaning anything (as a crash would leave things). */
  public void stopAgentOnly() {
    agent.close();
  }

  public Agent agent() {
    return agent;
  }

  public int port() {
    return port;
  }

  public Path dir() {
    return dir;
  }

  public Path directoryRoot() {
    return dir.resolve("dirs");
  }

  public Path include() {
    return config().samba().include();
  }

  /** A user name unique to this run, cleaned up on close. */
  public String user(String base) {
    String name = base + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    users.add(name);
    return name;
  }

  public void desire(String yaml) throws Exception {
    Files.writeString(desiredFile, yaml);
  }

  public Reconciler.PassReport reconcile() throws Exception {
    return agent.reconcileNow();
  }

  @Override
  public void close() throws Exception {
    if (agent != null) {
      agent.close();
    }
    try (CommandRunner r = new CommandRunner(new AgentMetrics(new MetricRegistry()), TestTimeouts.seconds(30))) {
      for (String u : users) {
        r.runAllowingFailure(Command.of("userdel", u));
      }
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }
}
