package org.smbgw.agent.pve;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.fs.DiskSpace;
import org.smbgw.proto.v1.NetworkInterface;
import org.smbgw.proto.v1.NodeInventory;
import org.smbgw.proto.v1.StorageOffer;

/**
 * What this node offers, told in its hello: usable storages with free bytes (one zfs get for all
 * pools), the Samba version, and its interfaces with their subnets. Every program and every look
 * at a file system has a timeout: a storage that does not answer in time (a hung NFS mount, a
 * stuck pool) is left out of the offer rather than holding up the rest.
 */
public final class Inventory {
  private static final Logger log = LoggerFactory.getLogger(Inventory.class);
  private final CommandRunner runner;
  private final String zfs;
  private final String smbd;
  private final String node;
  private final DiskSpace space;
  private final Duration timeout;

  /** @param timeout for each program and each free-space look */
  public Inventory(CommandRunner runner, String zfs, String smbd, String node, DiskSpace space, Duration timeout) {
    this.runner = runner;
    this.zfs = zfs;
    this.smbd = smbd;
    this.node = node;
    this.space = space;
    this.timeout = timeout;
  }

  /** The Samba version as smbd prints it ("4.17.12-Debian"), or empty when smbd cannot say. */
  String sambaVersion() throws CommandFailedException {
    CommandResult r = runner.runAllowingFailure(Command.of(smbd, "--version").timeout(timeout));
    return r.succeeded() ? r.stdout().strip().replaceFirst("^Version ", "") : "";
  }

  public NodeInventory build(Map<String, PveStorage> storages) throws CommandFailedException, IOException {
    List<PveStorage> usable = storages.values().stream().filter(s -> s.availableOn(node)).toList();
    Map<String, Long> poolFree = new TreeMap<>();
    List<String> pools = usable.stream().filter(PveStorage::zfs).map(PveStorage::pool).distinct().toList();
    if (!pools.isEmpty()) {
      List<String> argv = new ArrayList<>(List.of(zfs, "get", "-Hp", "-o", "name,value", "available"));
      argv.addAll(pools);
      CommandResult r = runner.runAllowingFailure(Command.of(argv).timeout(timeout));
      for (String line : r.stdout().split("\n")) {
        String[] f = line.split("\t");
        if (f.length == 2 && f[1].matches("\\d+")) {
          poolFree.put(f[0], Long.parseLong(f[1]));
        }
      }
    }
    org.smbgw.agent.net.IpAddresses ip = new org.smbgw.agent.net.IpAddresses(runner);
    NodeInventory.Builder b = NodeInventory.newBuilder().setSambaVersion(sambaVersion())
        .addAllInterfaces(ip.interfaces(timeout)).addAllGateways(ip.gateways(timeout));
    for (PveStorage s : usable) {
      StorageOffer.Builder o = StorageOffer.newBuilder().setId(s.id()).setType(s.type())
          .setShared(s.reachableFromOtherNodes());
      if (s.zfs()) {
        if (!poolFree.containsKey(s.pool())) {
          continue; // the pool is not imported here: nothing to offer
        }
        o.setZfsParent(s.pool()).setFreeBytes(poolFree.get(s.pool()));
      } else {
        Path p = Path.of(s.path());
        OptionalLong free;
        try {
          free = space.usable(p, timeout);
        } catch (TimeoutException e) {
          log.warn("storage {}: {} did not answer within {} s; not offered", s.id(), p, timeout.toSeconds());
          continue;
        }
        o.setPath(p.resolve(StorageResolver.SUBDIRECTORY).toString()).setFreeBytes(free.orElse(0));
      }
      b.addStorages(o);
    }
    return b.build();
  }
}
