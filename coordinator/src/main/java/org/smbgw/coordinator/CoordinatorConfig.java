package org.smbgw.coordinator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Violation;

/**
 * {@code /etc/smbgw/coordinator.yaml}.
 *
 * @param listen address and port of the gRPC server (admin API and agent sessions)
 * @param advertise how other replicas and agents reach this one (host:port)
 * @param zookeeper an ensemble's connect string; empty for an embedded single server
 * @param embeddedZooKeeperPort client port of the embedded server
 * @param metricsListen address:port of the Prometheus endpoint; empty to turn it off
 * @param leaseMillis node lease length L (default 2000)
 * @param leaseMarginMillis what the leader waits beyond L before moving a silent node's addresses
 * @param logFormat text (default) or json (one object per line)
 */
public record CoordinatorConfig(String listenAddress, int listenPort, String advertise, String zookeeper,
    int embeddedZooKeeperPort, Path stateDir, int sessionTimeoutMs, String metricsListen, int leaseMillis,
    int leaseMarginMillis, String logFormat) {

  private static final Set<String> KNOWN = Set.of("listen", "advertise", "zookeeper", "embeddedZooKeeperPort",
      "stateDir", "sessionTimeoutMs", "metricsListen", "leaseMillis", "leaseMarginMillis", "logFormat");

  public static CoordinatorConfig defaults() {
    return new CoordinatorConfig("0.0.0.0", 7400, null, "", 7481, Path.of("/var/lib/smbgw/coordinator"), 2000,
        "0.0.0.0:9924", 2000, 150, "text");
  }

  public static CoordinatorConfig load(Path file) throws IOException {
    JsonNode root = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(file));
    List<Violation> out = new ArrayList<>();
    CoordinatorConfig d = defaults();
    if (root == null || root.isMissingNode() || root.isNull()) {
      return d.withAdvertise();
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String f = it.next();
      if (!KNOWN.contains(f)) {
        out.add(new Violation(file + ": " + f, "unknown setting (known: " + String.join(", ", KNOWN) + ")"));
      }
    }
    String listen = root.path("listen").asText(d.listenAddress() + ":" + d.listenPort());
    int colon = listen.lastIndexOf(':');
    String address = d.listenAddress();
    int port = d.listenPort();
    try {
      address = listen.substring(0, colon);
      port = Integer.parseInt(listen.substring(colon + 1));
    } catch (RuntimeException e) {
      out.add(new Violation(file + ": listen", "must be address:port (got '" + listen + "')"));
    }
    int lease = root.path("leaseMillis").asInt(d.leaseMillis());
    int margin = root.path("leaseMarginMillis").asInt(d.leaseMarginMillis());
    if (lease < 1000 || lease > 60_000) {
      out.add(new Violation(file + ": leaseMillis", "must be 1000 to 60000 (the kernel counts address lifetimes in whole seconds)"));
    }
    if (margin < 0 || margin > 60_000) {
      out.add(new Violation(file + ": leaseMarginMillis", "must be 0 to 60000"));
    }
    org.smbgw.common.Logging.validate(file + ": logFormat", root.path("logFormat").asText(d.logFormat()), out);
    InvalidSpecException.throwIfAny(out);
    return new CoordinatorConfig(address, port, root.path("advertise").asText(null),
        root.path("zookeeper").asText(""), root.path("embeddedZooKeeperPort").asInt(d.embeddedZooKeeperPort()),
        Path.of(root.path("stateDir").asText(d.stateDir().toString())),
        root.path("sessionTimeoutMs").asInt(d.sessionTimeoutMs()),
        root.path("metricsListen").asText(d.metricsListen()),
        root.path("leaseMillis").asInt(d.leaseMillis()), root.path("leaseMarginMillis").asInt(d.leaseMarginMillis()),
        root.path("logFormat").asText(d.logFormat())).withAdvertise();
  }

  /** Fills in the advertised address: the listen address, or 127.0.0.1 when listening on all. */
  public CoordinatorConfig withAdvertise() {
    if (advertise != null && !advertise.isEmpty()) {
      return this;
    }
    String host = listenAddress.equals("0.0.0.0") || listenAddress.equals("::") ? "127.0.0.1" : listenAddress;
    return new CoordinatorConfig(listenAddress, listenPort, host + ":" + listenPort, zookeeper,
        embeddedZooKeeperPort, stateDir, sessionTimeoutMs, metricsListen, leaseMillis, leaseMarginMillis, logFormat);
  }
}
