package org.smbgw.agent.config;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.agent.samba.SambaTools;
import org.smbgw.common.HostPort;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Names;
import org.smbgw.common.Settings;
import org.smbgw.common.Violation;
import org.smbgw.common.tls.TlsConfig;

/**
 * {@code /etc/smbgw/agent.yaml}. Every field has a default fit for a Proxmox node; a sandbox
 * section turns on the agent's own smbd for demos and tests.
 *
 * @param node this node's name; defaults to the host name
 * @param desiredStateFile single-node mode: the YAML of Share, User and Purge resources to serve
 * @param directoryRoots where directory storage may live (for example /mnt/pve/cephfs)
 * @param unixGroup the group share roots and their files belong to
 * @param coordinators cluster mode: coordinator replicas (host:port); empty for single-node mode
 * @param pveStorageConfig Proxmox's storage.cfg, whose storages shares may name by ID
 * @param metricsListen address:port of the Prometheus endpoint; empty to turn it off
 * @param tls cluster mode: the CA, certificate and key of the session with the coordinators
 */
public record AgentConfig(
    String node,
    Path stateDir,
    Path desiredStateFile,
    List<Path> directoryRoots,
    String unixGroup,
    Integer resyncSeconds,
    Integer commandTimeoutSeconds,
    Samba samba,
    Zfs zfs,
    Sandbox sandbox,
    List<String> coordinators,
    Path pveStorageConfig,
    String metricsListen,
    String logFormat,
    TlsConfig tls) {

  /**
   * @param smbstatus the smbstatus program (default /usr/bin/smbstatus)
   * @param profiling turn on smbd's profiling counters and export them (default false: they cost
   *     smbd a little on every request)
   */
  public record Samba(Path config, Path include, String smbstatus, Boolean profiling) {
    public Samba(Path config, Path include, String smbstatus) {
      this(config, include, smbstatus, null);
    }
  }

  public record Zfs(String zfs, String zpool) {}

  /**
   * The agent runs its own smbd on {@code address:port} with private state under the state
   * directory, and (when {@code poolFile} is set) keeps a file-backed zfs-fuse pool for its shares.
   */
  public record Sandbox(String address, Integer port, String pool, Path poolFile, String poolSize) {}

  /**
   * Reads the YAML file. Read through Jackson's tree model rather than bound to the records: the
   * binding machinery would stay in the agent's memory for one small file. Unknown settings and
   * wrong types are violations naming the setting.
   */
  public static AgentConfig load(Path file) throws IOException {
    List<Violation> out = new ArrayList<>();
    Settings s = Settings.read(file, out, "node", "stateDir",
        "desiredStateFile", "directoryRoots", "unixGroup", "resyncSeconds", "commandTimeoutSeconds", "samba",
        "zfs", "sandbox", "coordinators", "pveStorageConfig", "metrics", "logFormat", "tls");
    Settings samba = s.section("samba", "config", "include", "smbstatus", "profiling");
    Settings zfs = s.section("zfs", "zfs", "zpool");
    Settings box = s.section("sandbox", "address", "port", "pool", "poolFile", "poolSize");
    Settings metrics = s.section("metrics", "listen");
    AgentConfig c = new AgentConfig(s.text("node"), s.path("stateDir"), s.path("desiredStateFile"),
        s.paths("directoryRoots"), s.text("unixGroup"), s.integer("resyncSeconds"),
        s.integer("commandTimeoutSeconds"),
        samba.present() ? new Samba(samba.path("config"), samba.path("include"), samba.text("smbstatus"),
            samba.bool("profiling")) : null,
        zfs.present() ? new Zfs(zfs.text("zfs"), zfs.text("zpool")) : null,
        box.present() ? new Sandbox(box.text("address"), box.integer("port"), box.text("pool"),
            box.path("poolFile"), box.text("poolSize")) : null,
        s.texts("coordinators"),
        s.path("pveStorageConfig"), metrics.text("listen"), s.text("logFormat"), TlsConfig.read(s, out));
    try {
      InvalidSpecException.throwIfAny(out);
      return c.withDefaults();
    } catch (InvalidSpecException e) {
      throw e.inFile(file);
    }
  }

  public static AgentConfig empty() {
    return new AgentConfig(null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
  }

  /** Fills in defaults and checks the values; throws naming the setting on a bad one. */
  public AgentConfig withDefaults() {
    List<Violation> out = new ArrayList<>();
    Path state = stateDir != null ? stateDir : Path.of("/var/lib/smbgw/agent");
    Samba s = samba != null ? samba : new Samba(null, null, null);
    String smbstatus = s.smbstatus() != null ? s.smbstatus() : SambaTools.defaults().smbstatus();
    Sandbox box = sandbox;
    if (box != null) {
      box = new Sandbox(box.address() != null ? box.address() : "127.0.0.1",
          box.port() != null ? box.port() : 4450, box.pool(), box.poolFile(),
          box.poolSize() != null ? box.poolSize() : "1G");
      if (box.port() < 1 || box.port() > 65535) {
        out.add(new Violation("sandbox.port", "must be 1 to 65535"));
      }
      // The sandbox's smb.conf and include live in the state directory; samba paths do not apply.
      s = new Samba(state.resolve("samba/smb.conf"), state.resolve("samba/shares.conf"), smbstatus,
          Boolean.TRUE.equals(s.profiling()));
    } else {
      s = new Samba(s.config() != null ? s.config() : Path.of("/etc/samba/smb.conf"),
          s.include() != null ? s.include() : Path.of("/etc/samba/smbgw-shares.conf"), smbstatus,
          Boolean.TRUE.equals(s.profiling()));
    }
    Zfs z = zfs != null ? zfs : new Zfs(null, null);
    z = new Zfs(z.zfs() != null ? z.zfs() : "/usr/sbin/zfs", z.zpool() != null ? z.zpool() : "/usr/sbin/zpool");
    int resync = resyncSeconds != null ? resyncSeconds : 30;
    int timeout = commandTimeoutSeconds != null ? commandTimeoutSeconds : 120;
    if (resync < 1) {
      out.add(new Violation("resyncSeconds", "must be at least 1"));
    }
    if (timeout < 1) {
      out.add(new Violation("commandTimeoutSeconds", "must be at least 1"));
    }
    List<Path> roots = directoryRoots != null ? List.copyOf(directoryRoots) : List.of();
    for (Path r : roots) {
      if (!r.isAbsolute() || !r.normalize().equals(r)) {
        out.add(new Violation("directoryRoots", "must be absolute, normalised paths (got " + r + ")"));
      }
    }
    if (metricsListen != null && !metricsListen.isEmpty()) {
      HostPort.parse("metrics.listen", metricsListen, true, out);
    }
    List<String> replicas = coordinators != null ? List.copyOf(coordinators) : List.of();
    replicas.forEach(r -> HostPort.parse("coordinators", r, false, out));
    org.smbgw.common.Logging.validate("logFormat", logFormat, out);
    String name = node != null ? node : hostName();
    // Checked here, not first by a coordinator that would refuse every hello while the agent
    // reconnected forever.
    Names.nodeName(node != null ? "node" : "node (the host name; set node: to override it)", name, out);
    InvalidSpecException.throwIfAny(out);
    return new AgentConfig(name, state,
        desiredStateFile != null ? desiredStateFile : Path.of("/etc/smbgw/shares.yaml"), roots,
        unixGroup != null ? unixGroup : "smbgw", resync, timeout, s, z, box,
        replicas,
        pveStorageConfig != null ? pveStorageConfig : Path.of("/etc/pve/storage.cfg"),
        metricsListen != null ? metricsListen : "0.0.0.0:9923", logFormat != null ? logFormat : "text",
        tls != null ? tls : TlsConfig.defaults());
  }

  public Duration resync() {
    return Duration.ofSeconds(resyncSeconds);
  }

  public Duration commandTimeout() {
    return Duration.ofSeconds(commandTimeoutSeconds);
  }

  private static String hostName() {
    try {
      String h = InetAddress.getLocalHost().getHostName();
      int dot = h.indexOf('.');
      return dot > 0 ? h.substring(0, dot) : h;
    } catch (IOException e) {
      return "localhost";
    }
  }
}
