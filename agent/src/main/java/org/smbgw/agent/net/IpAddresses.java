package org.smbgw.agent.net;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.Addresses;
import org.smbgw.proto.v1.NetworkInterface;

/** The node's addresses through iproute2: one {@code ip -j addr} to read, one batch to change. */
public final class IpAddresses {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final CommandRunner runner;

  public IpAddresses(CommandRunner runner) {
    this.runner = runner;
  }

  /** Interfaces and their addresses with prefix lengths. */
  /** What {@code ip -j} shows as the valid lifetime of an address that has none. */
  private static final long FOREVER = 4294967295L;

  public List<NetworkInterface> interfaces() throws CommandFailedException, IOException {
    return interfaces(Duration.ofSeconds(5));
  }

  public List<NetworkInterface> interfaces(Duration timeout) throws CommandFailedException, IOException {
    CommandResult r = runner.runAllowingFailure(Command.of("ip", "-j", "addr", "show").timeout(timeout));
    List<NetworkInterface> out = new ArrayList<>();
    if (!r.succeeded()) {
      return out;
    }
    for (JsonNode link : JSON.readTree(r.stdout())) {
      NetworkInterface.Builder b = NetworkInterface.newBuilder().setName(link.path("ifname").asText());
      for (JsonNode a : link.path("addr_info")) {
        if (a.has("local")) {
          String cidr = a.path("local").asText() + "/" + a.path("prefixlen").asInt();
          b.addAddresses(cidr);
          if (a.path("valid_life_time").asLong(FOREVER) == FOREVER) {
            b.addPermanent(cidr);
          }
        }
      }
      out.add(b.build());
    }
    return out;
  }

  /** Next hops of the node's IPv4 and IPv6 routes (each once), as {@code ip -j route} shows them. */
  public List<String> gateways(Duration timeout) throws CommandFailedException, IOException {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (String family : List.of("-4", "-6")) {
      CommandResult r = runner.runAllowingFailure(Command.of("ip", "-j", family, "route", "show").timeout(timeout));
      if (!r.succeeded() || r.stdout().isBlank()) {
        continue;
      }
      for (JsonNode route : JSON.readTree(r.stdout())) {
        if (route.has("gateway")) {
          out.add(route.path("gateway").asText());
        }
        route.path("nexthops").forEach(h -> {
          if (h.has("gateway")) {
            out.add(h.path("gateway").asText());
          }
        });
      }
    }
    return List.copyOf(out);
  }

  /**
   * The interface to hold {@code cidr} on: the one with another address in the same subnet. A
   * floating address itself never counts (it may be the only one there).
   */
  public static Optional<String> interfaceFor(String cidr, List<NetworkInterface> interfaces) {
    for (NetworkInterface i : interfaces) {
      for (String a : i.getAddressesList()) {
        if (!Addresses.same(a, cidr) && sameSubnet(a, cidr)) {
          return Optional.of(i.getName());
        }
      }
    }
    return Optional.empty();
  }

  /** Whether {@code a} lies in the subnet of {@code b} (with b's prefix). */
  static boolean sameSubnet(String a, String b) {
    return Addresses.contains(b, a);
  }


  /**
   * Runs iproute2 commands ({@code addr replace ...}, {@code addr del ...}) as one batch; with
   * -force a failing line does not stop the others. Returns the failures' messages.
   */
  public String batch(List<String> lines, Duration timeout) throws CommandFailedException {
    if (lines.isEmpty()) {
      return "";
    }
    CommandResult r = runner.runAllowingFailure(Command.of("ip", "-force", "-batch", "-")
        .stdin(String.join("\n", lines) + "\n").timeout(timeout));
    return r.succeeded() ? "" : r.stderr().strip();
  }
}
