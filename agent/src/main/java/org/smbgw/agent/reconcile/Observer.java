package org.smbgw.agent.reconcile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.fs.RootState;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.zfs.Dataset;
import org.smbgw.agent.zfs.Zfs;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;

/**
 * Looks at the node with as few program calls as possible: one {@code zfs get -Hp -r} over every
 * parent, {@code pdbedit -L -w} and {@code -L -v} (hashes, SIDs), one {@code net getdomainsid},
 * one {@code smbstatus --json}; the rest are file reads and stats.
 */
public final class Observer {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Observer.class);
  private final Host host;
  /**
   * The hashes, the machine's SID, the accounts' SIDs and smbstatus are looked at while zfs get
   * runs, each on a thread of its own: the calls are independent, and a pass that publishes a
   * failed-over share is on the clients' clock (one after another, net getdomainsid and pdbedit
   * -L -v took 0.3 to 0.47 s of it in the failover lab).
   */
  private final java.util.concurrent.ThreadPoolExecutor side = new java.util.concurrent.ThreadPoolExecutor(4, 4,
      5, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(), r -> {
        Thread t = new Thread(r, "smbgw-observe");
        t.setDaemon(true);
        return t;
      });

  public Observer(Host host) {
    this.host = host;
    side.allowCoreThreadTimeOut(true); // idle between passes: no threads kept
  }

  /**
   * @param knownParents parents that held shares before (so retired datasets stay visible after
   *     their share left the desired state)
   */
  public Observed observe(NodeDesiredState desired, Set<String> knownParents) throws Exception {
    java.util.concurrent.Future<Map<String, String>> hashes = side.submit(() -> host.pdbedit().hashes());
    java.util.concurrent.Future<SmbStatus.Connections> connections = side.submit(this::connections);
    java.util.concurrent.Future<SambaIds.Machine> machine = side.submit(() -> host.ids().machine());
    java.util.concurrent.Future<Map<String, String>> sids = side.submit(() -> host.ids().accounts());
    try {
      Zfs.Observation zfs;
      String zfsProblem = null;
      try {
        zfs = host.zfs().observe(parents(desired, knownParents));
      } catch (CommandFailedException | IOException e) {
        // ZFS not answering (its daemon down, say) costs the shares on ZFS, not the others.
        log.warn("cannot observe ZFS; shares on it wait: {}", e.getMessage());
        zfs = new Zfs.Observation(Map.of(), Set.of(), Set.of());
        zfsProblem = e.getMessage() == null ? e.toString() : e.getMessage();
      }
      Map<Path, RootState> roots = new HashMap<>();
      for (Dataset d : zfs.datasets().values()) {
        // A dead mount is not looked into: it would only answer ENOTCONN (the plan remounts it).
        if (d.managed() && !d.retired() && d.mounted() && d.mountpoint().startsWith("/")
            && !underDeadMount(d.name(), zfs.deadMounts())) {
          roots.put(Path.of(d.mountpoint()), root(Path.of(d.mountpoint())));
        }
      }
      roots.putAll(directoryRoots(desired));
      return new Observed(zfs.datasets(), zfs.missingParents(), host.samba().readInclude(),
          host.samba().smbConfIncludes(), result(hashes), host.accounts().accounts(),
          host.accounts().groups(), roots, result(connections), zfs.deadMounts(), zfsProblem,
          host.ids().seen(() -> result(machine), () -> result(sids)));
    } finally {
      // Those still running when a look failed are not waited for (cancelling a finished one does nothing).
      for (java.util.concurrent.Future<?> f : List.of(hashes, connections, machine, sids)) {
        f.cancel(true);
      }
    }
  }

  /**
   * {@code before} with what is cheap to look at looked at again, for a pass that only adds, or
   * only changes addresses and counters (see {@link QuickLook}): the include file, the smb.conf
   * hook, accounts and groups, and the root of every directory share. File reads and stats only,
   * no program; datasets, Samba's hashes and SIDs, and who is connected are as {@code before} saw
   * them (a share this pass adds has no one yet), not zero until the whole look that follows.
   */
  public Observed refresh(Observed before, NodeDesiredState desired) throws IOException {
    Map<Path, RootState> roots = new HashMap<>(before.roots());
    roots.putAll(directoryRoots(desired));
    return new Observed(before.datasets(), before.missingParents(), host.samba().readInclude(),
        host.samba().smbConfIncludes(), before.sambaHashes(), host.accounts().accounts(), host.accounts().groups(),
        roots, before.connections(), before.deadMounts(), before.zfsProblem(), before.ids());
  }

  /** The state of every directory share's root, looked at now. */
  private Map<Path, RootState> directoryRoots(NodeDesiredState desired) {
    Map<Path, RootState> roots = new HashMap<>();
    for (ShareSpec s : desired.getSharesList()) {
      if (s.getStorage().hasDirectory()) {
        Path p = Path.of(s.getStorage().getDirectory().getPath());
        roots.put(p, root(p));
      }
    }
    return roots;
  }

  /** Whether {@code dataset} or a dataset above it is in {@code dead}. */
  static boolean underDeadMount(String dataset, Set<String> dead) {
    for (String d = dataset; ; d = d.substring(0, d.lastIndexOf('/'))) {
      if (dead.contains(d)) {
        return true;
      }
      if (d.indexOf('/') < 0) {
        return false;
      }
    }
  }

  /** One root's state; a root that cannot be read is that share's problem, not the pass's. */
  private RootState root(Path p) {
    try {
      return host.roots().stat(p);
    } catch (IOException e) {
      return RootState.unusable(e.getMessage() == null ? p + ": " + e : e.getMessage());
    }
  }

  /** The side call's result, or its own exception (a pass fails the same way as before). */
  private static <T> T result(java.util.concurrent.Future<T> f) throws Exception {
    try {
      return f.get();
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  /** smbstatus failing or hanging costs the counts, never the pass (and so never the shares). */
  private SmbStatus.Connections connections() {
    try {
      return host.smbstatus().read();
    } catch (Exception e) {
      log.warn("smbstatus gave no answer; connection counts unknown this pass: {}", e.getMessage());
      return SmbStatus.Connections.UNKNOWN;
    }
  }

  /** Where each desired share's files are now, after storage steps ran: one more zfs get. */
  public Map<String, String> paths(NodeDesiredState desired, Set<String> knownParents) throws Exception {
    Zfs.Observation now = host.zfs().observe(parents(desired, knownParents));
    DatasetIndex index = new DatasetIndex(now.datasets());
    Map<String, String> paths = new TreeMap<>();
    for (ShareSpec s : desired.getSharesList()) {
      if (s.getStorage().hasDirectory()) {
        paths.put(s.getName(), s.getStorage().getDirectory().getPath());
      } else {
        index.find(s.getStorage().getZfs().getParent(), s.getName())
            .filter(d -> d.mounted() && !d.retired() && !underDeadMount(d.name(), now.deadMounts()))
            .ifPresent(d -> paths.put(s.getName(), d.mountpoint()));
      }
    }
    return paths;
  }

  public static Set<String> parents(NodeDesiredState desired, Set<String> knownParents) {
    Set<String> parents = new TreeSet<>(knownParents);
    desired.getSharesList().stream().filter(s -> s.getStorage().hasZfs())
        .forEach(s -> parents.add(s.getStorage().getZfs().getParent()));
    return parents;
  }
}
