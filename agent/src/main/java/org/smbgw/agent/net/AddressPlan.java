package org.smbgw.agent.net;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.NetworkInterface;

/**
 * What to do with the node's floating addresses at one moment: a pure function of the lease, what
 * the desired state binds to which address, which shares are published, what is held and the
 * interfaces. No I/O; {@link AddressKeeper} carries it out.
 *
 * <p>An address comes up only while the last grant names it, the desired state wants it here,
 * every share bound to it is published, and at least a whole second of lease is left; its kernel
 * lifetime is that whole number of seconds, so a dead agent loses it on time by the kernel's hand.
 * With less than a second left nothing is added or extended, but nothing granted is dropped early
 * either: the kernel lifetime runs out by itself, and the keeper drops the rest at expiry. An
 * address no longer granted, or no longer wanted here, goes at once.
 *
 * @param lifetimeSeconds the kernel lifetime of every address added or refreshed
 * @param add addresses to bring up (announced afterwards)
 * @param refresh held addresses whose lifetime is renewed
 * @param drop held addresses to let go of
 * @param noInterface granted and ready addresses that no interface can carry (logged)
 * @param own granted addresses this node has as its own (no lifetime limit): never taken over,
 *     whatever the grant says (reported)
 */
public record AddressPlan(long lifetimeSeconds, List<Holding> add, List<Holding> refresh, List<Holding> drop,
    List<AddressAssignment> noInterface, List<AddressAssignment> own) {

  /** An address on this node: where, since when, and since when its shares serve (wall-clock ms). */
  public record Holding(String key, String cidr, String device, long upAtMillis, long servingAtMillis,
      AddressAssignment assignment) {}

  /**
   * The inputs of one decision.
   *
   * @param desired host address to the shares bound to it, for addresses the desired state puts here
   * @param active shares published and serving on this node
   * @param held what is up now, by host address
   * @param readySince host address to when it became ready (all its shares published), wall ms
   */
  public record Inputs(Lease lease, long now, long wallMillis, Map<String, List<String>> desired, Set<String> active,
      Map<String, Holding> held, List<NetworkInterface> interfaces, Map<String, Long> readySince) {}

  public boolean isEmpty() {
    return add.isEmpty() && refresh.isEmpty() && drop.isEmpty();
  }

  /** Every held address goes: the lease ran out, or the agent stops. */
  public static AddressPlan dropAll(Map<String, Holding> held) {
    return new AddressPlan(0, List.of(), List.of(), List.copyOf(held.values()), List.of(), List.of());
  }

  public static AddressPlan of(Inputs in) {
    long seconds = in.lease().wholeSecondsLeft(in.now());
    Map<String, AddressAssignment> granted = in.lease().granted();
    List<Holding> refresh = new ArrayList<>();
    List<Holding> drop = new ArrayList<>();
    for (Holding h : in.held().values()) {
      if (!granted.containsKey(h.key()) || !in.desired().containsKey(h.key())) {
        drop.add(h);
      } else if (seconds >= 1) {
        refresh.add(h);
      } // else: not extended; its kernel lifetime runs out, and the keeper drops it at expiry
    }
    if (seconds < 1) {
      return new AddressPlan(0, List.of(), List.of(), drop, List.of(), List.of());
    }
    List<Holding> add = new ArrayList<>();
    List<AddressAssignment> noInterface = new ArrayList<>();
    List<AddressAssignment> own = new ArrayList<>();
    for (Map.Entry<String, AddressAssignment> e : granted.entrySet()) {
      if (in.held().containsKey(e.getKey()) || !ready(e.getKey(), in.desired(), in.active())) {
        continue;
      }
      if (in.interfaces().stream().flatMap(i -> i.getPermanentList().stream())
          .anyMatch(p -> org.smbgw.common.Addresses.same(p, e.getValue().getAddress()))) {
        own.add(e.getValue());
        continue;
      }
      Optional<String> device = device(e.getValue(), in.interfaces());
      if (device.isEmpty()) {
        noInterface.add(e.getValue());
        continue;
      }
      add.add(new Holding(e.getKey(), e.getValue().getAddress(), device.get(), in.wallMillis(),
          in.readySince().getOrDefault(e.getKey(), in.wallMillis()), e.getValue()));
    }
    return new AddressPlan(seconds, add, refresh, drop, noInterface, own);
  }

  /** When each wanted address became ready: kept while it stays ready, forgotten when it is not. */
  public static Map<String, Long> readySince(Map<String, Long> before, Map<String, List<String>> desired,
      Set<String> active, long wallMillis) {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String key : desired.keySet()) {
      if (ready(key, desired, active)) {
        out.put(key, before.getOrDefault(key, wallMillis));
      }
    }
    return out;
  }

  static boolean ready(String key, Map<String, List<String>> desired, Set<String> active) {
    List<String> shares = desired.get(key);
    return shares != null && active.containsAll(shares);
  }

  /** The assignment's own interface, or the one with another address in its subnet. */
  static Optional<String> device(AddressAssignment a, List<NetworkInterface> interfaces) {
    if (!a.getInterface().isEmpty()) {
      return Optional.of(a.getInterface());
    }
    return IpAddresses.interfaceFor(a.getAddress(), interfaces);
  }
}
