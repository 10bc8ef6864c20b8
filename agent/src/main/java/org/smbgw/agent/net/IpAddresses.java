package org.smbgw.agent.net;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.common.Addresses;
import org.smbgw.common.Trees;
import org.smbgw.proto.v1.NetworkInterface;

/** The node's addresses through iproute2: one {@code ip -j addr} to read, one batch to change. */
public final class IpAddresses {
  private final CommandRunner runner;

  public IpAddresses(CommandRunner runner) {
    this.runner = runner;
  }

  /** What {@code ip -j} shows as the valid lifetime of an address that has none. */
  private static final long FOREVER = 4294967295L;

  /** Interfaces and their addresses with prefix lengths. */
  public List<NetworkInterface> interfaces() throws CommandFailedException, IOException {
    return interfaces(Duration.ofSeconds(5));
  }

  public List<NetworkInterface> interfaces(Duration timeout) throws CommandFailedException, IOException {
    CommandResult r = runner.runAllowingFailure(Command.of("ip", "-j", "addr", "show").timeout(timeout));
    return r.succeeded() ? interfaces(r.stdout()) : new ArrayList<>();
  }

  /** What {@code ip -j addr show} printed: each interface with its addresses and the permanent ones. */
  static List<NetworkInterface> interfaces(String json) throws IOException {
    List<NetworkInterface> out = new ArrayList<>();
    if (json.isBlank()) {
      return out;
    }
    for (Object link : Trees.elements(Trees.PLAIN_JSON.anyFrom(json))) {
      NetworkInterface.Builder b = NetworkInterface.newBuilder().setName(Trees.text(Trees.get(link, "ifname"), ""));
      for (Object a : Trees.elements(Trees.get(link, "addr_info"))) {
        if (Trees.map(a).containsKey("local")) {
          String cidr = Trees.text(Trees.get(a, "local"), "") + "/" + Trees.number(Trees.get(a, "prefixlen"), 0);
          b.addAddresses(cidr);
          if (Trees.number(Trees.get(a, "valid_life_time"), FOREVER) == FOREVER) {
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
      for (Object route : Trees.elements(Trees.PLAIN_JSON.anyFrom(r.stdout()))) {
        if (Trees.map(route).containsKey("gateway")) {
          out.add(Trees.text(Trees.get(route, "gateway"), ""));
        }
        Trees.elements(Trees.get(route, "nexthops")).forEach(h -> {
          if (Trees.map(h).containsKey("gateway")) {
            out.add(Trees.text(Trees.get(h, "gateway"), ""));
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
   * -force a failing line does not stop the others. The lines are asked of {@code lines} once ip
   * is running and reading them (see {@link CommandRunner#runFeeding}), so lifetimes in them count
   * from the moment they are computed. Returns the failures' messages.
   */
  public String batch(Supplier<List<String>> lines, Duration timeout) throws CommandFailedException {
    CommandResult r = runner.runFeeding(Command.of("ip", "-force", "-batch", "-").timeout(timeout), () -> {
      List<String> now = lines.get();
      return now.isEmpty() ? new byte[0] : (String.join("\n", now) + "\n").getBytes(StandardCharsets.UTF_8);
    });
    return r.succeeded() ? "" : r.stderr().strip();
  }
}
