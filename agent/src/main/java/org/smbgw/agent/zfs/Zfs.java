package org.smbgw.agent.zfs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.agent.exec.CommandRunner;

/**
 * The ZFS commands the agent uses. Every method is one program call, but the first {@link #create}
 * of an agent, which first asks what this ZFS offers Samba.
 */
public final class Zfs {
  static final String PROPERTIES = String.join(",", "type", "quota", "used", "available",
      "mountpoint", "mounted", Dataset.SHARE_PROPERTY, Dataset.STATE_PROPERTY);
  private static final Pattern MISSING = Pattern.compile("cannot open '([^']+)': dataset does not exist");

  private final CommandRunner runner;
  private final String zfs;
  private final MountTable mounts;

  public Zfs(CommandRunner runner, String zfsBinary, MountTable mounts) {
    this.runner = runner;
    this.zfs = zfsBinary;
    this.mounts = mounts;
  }

  /**
   * What one batched observation found: every dataset under the parents, parents that are
   * missing, and datasets the kernel shows mounted whose mount no longer answers ({@link
   * MountTable}); those count as mounted, at their mountpoint.
   */
  public record Observation(Map<String, Dataset> datasets, Set<String> missingParents, Set<String> deadMounts) {}

  /**
   * One {@code zfs get -Hp -r} over all parents, and one read of the kernel's mount table: a
   * dataset counts as mounted only when the kernel shows it at its mountpoint. Missing parents
   * are reported, not thrown.
   */
  public Observation observe(Collection<String> parents) throws CommandFailedException, IOException {
    if (parents.isEmpty()) {
      return new Observation(Map.of(), Set.of(), Set.of());
    }
    List<String> argv = new ArrayList<>(List.of(zfs, "get", "-Hp", "-r",
        "-o", "name,property,value,source", PROPERTIES));
    argv.addAll(new TreeSet<>(parents));
    CommandResult r = runner.runAllowingFailure(Command.of(argv));
    Set<String> missing = new TreeSet<>();
    Matcher m = MISSING.matcher(r.stderr());
    while (m.find()) {
      missing.add(m.group(1));
    }
    if (!r.succeeded() && missing.isEmpty()) {
      throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), "exited with " + r.exitCode());
    }
    Map<String, String> mounted = mounts.read();
    Map<String, Dataset> filesystems = new LinkedHashMap<>();
    Map<String, String> datasetAt = new LinkedHashMap<>();
    for (Dataset d : ZfsGetParser.parse(r.stdout()).values()) {
      if (d.type().equals("filesystem")) { // zfs-fuse's get has no -t
        boolean reallyMounted = d.mounted() && d.name().equals(mounted.get(d.mountpoint()));
        filesystems.put(d.name(), reallyMounted == d.mounted() ? d : new Dataset(d.name(), d.type(), d.quota(),
            d.used(), d.available(), d.mountpoint(), false, d.share(), d.state()));
        if (reallyMounted) {
          datasetAt.put(d.mountpoint(), d.name());
        }
      }
    }
    Set<String> dead = new TreeSet<>();
    mounts.dead(datasetAt.keySet()).forEach(at -> dead.add(datasetAt.get(at)));
    return new Observation(filesystems, missing, dead);
  }

  /**
   * Creates a dataset already marked for {@code share}, so it is never seen unmarked, with the
   * properties Samba wants where this ZFS has them ({@link #sambaProperties}).
   */
  public void create(String dataset, String share, long quota) throws CommandFailedException {
    List<String> argv = new ArrayList<>(List.of(zfs, "create",
        "-o", Dataset.SHARE_PROPERTY + "=" + share, "-o", Dataset.STATE_PROPERTY + "=" + Dataset.ACTIVE));
    if (quota > 0) {
      argv.addAll(List.of("-o", "quota=" + quota));
    }
    int slash = dataset.lastIndexOf('/');
    for (String property : sambaProperties(slash < 0 ? dataset : dataset.substring(0, slash))) {
      argv.addAll(List.of("-o", property));
    }
    argv.add(dataset);
    runner.run(Command.of(argv));
  }

  /** What new datasets get for Samba, and the same for a person ({@code smbgw node show}). */
  record SambaSupport(List<String> properties, String note) {}

  /** Asked once per agent, on the reconcile thread that makes datasets; read by the inventory's. */
  private volatile SambaSupport samba = new SambaSupport(null,
      "not known yet: found out when smbgw first makes a dataset on this node");

  /**
   * What new datasets get for Samba: extended attributes kept with the file's inode
   * ({@code xattr=sa}; the default keeps each in a hidden directory, several I/Os per attribute,
   * and Samba writes one on every file it creates) and POSIX ACLs ({@code acltype=posixacl}, off by
   * default on Linux, as ext4 has them). Kernel OpenZFS has both; zfs-fuse has neither (no
   * {@code acltype} property, no extended attributes at all), so there new datasets keep its
   * defaults. Asked once, of {@code parent}; a property an administrator set on the parent (or
   * above it) is theirs and is inherited as it is.
   */
  List<String> sambaProperties(String parent) throws CommandFailedException {
    SambaSupport known = samba;
    if (known.properties() != null) {
      return known.properties();
    }
    CommandResult r = runner.runAllowingFailure(
        Command.of(zfs, "get", "-H", "-o", "property,source", "xattr,acltype", parent));
    if (r.succeeded()) {
      List<String> set = new ArrayList<>();
      List<String> kept = new ArrayList<>();
      for (String line : r.stdout().split("\n")) {
        String[] f = line.split("\t");
        if (f.length == 2) {
          String wanted = f[0].equals("xattr") ? "xattr=sa" : f[0].equals("acltype") ? "acltype=posixacl" : null;
          if (wanted != null && f[1].equals("default")) {
            set.add(wanted);
          } else if (wanted != null) {
            kept.add(f[0] + " (set by an administrator: " + f[1] + ")");
          }
        }
      }
      known = new SambaSupport(List.copyOf(set), (set.isEmpty() ? "new datasets get nothing for Samba"
          : "new datasets get " + String.join(", ", set)) + (kept.isEmpty() ? "" : "; inherited as set: "
          + String.join(", ", kept)));
    } else if (r.stderr().contains("invalid property")) {
      known = new SambaSupport(List.of(),
          "new datasets keep this ZFS's defaults: it has no acltype property and no xattr=sa (zfs-fuse)");
    } else {
      throw new CommandFailedException(r.command(), r.exitCode(), r.stderr(), "cannot tell whether this ZFS has acltype");
    }
    samba = known;
    return known.properties();
  }

  /**
   * Finds out, once, what this ZFS offers Samba, asking {@code parent}; a failure leaves it for the
   * next time (the first create asks again).
   */
  public void learnSambaSupport(String parent) {
    try {
      sambaProperties(parent);
    } catch (CommandFailedException e) {
      // not known yet; said so by the note
    }
  }

  /** What {@link #sambaProperties} found, for a person: shown by {@code smbgw node show}. */
  public String sambaNote() {
    return samba.note();
  }

  public void set(String dataset, String property, String value) throws CommandFailedException {
    runner.run(Command.of(zfs, "set", property + "=" + value, dataset));
  }

  /** Sets a quota in bytes; 0 removes it. */
  public void setQuota(String dataset, long quota) throws CommandFailedException {
    set(dataset, "quota", quota > 0 ? Long.toString(quota) : "none");
  }

  /** Destroys a dataset that was just created and holds nothing yet (undo of a create). */
  public void destroyNew(String dataset) throws CommandFailedException, InterruptedException {
    destroy(Command.of(zfs, "destroy", dataset));
  }

  /**
   * Destroys a dataset with its snapshots, unmounting it by force: an smbd that served it may
   * still hold it for a moment after the share was unpublished. Callers check the mark first.
   * Refuses, destroying nothing, when a file system or volume lies below it; never destroys
   * recursively, so one made below it meanwhile stops the destroy instead of going with it.
   */
  public void purge(String dataset) throws CommandFailedException, InterruptedException {
    Command list = Command.of(zfs, "list", "-H", "-o", "name,type", "-r", "-t", "all", dataset);
    List<String[]> below = runner.run(list).stdout().lines().map(l -> l.split("\t"))
        .filter(f -> f.length == 2 && !f[0].equals(dataset)).toList();
    List<String> nested = below.stream().filter(f -> !f[0].startsWith(dataset + "@")).map(f -> f[0]).toList();
    if (!nested.isEmpty()) {
      throw new CommandFailedException(list, 0, "", "not destroyed: " + String.join(", ", nested) + " lie inside "
          + dataset);
    }
    // Its own snapshots one by one, then the dataset without -r: a file system made below it
    // meanwhile makes the destroy fail instead of going with it.
    for (String[] snapshot : below) {
      destroy(Command.of(zfs, "destroy", snapshot[0]));
    }
    destroy(Command.of(zfs, "destroy", "-f", dataset));
  }

  /**
   * Detaches a dead mount and every mount below it ({@code umount -l}). Measured on zfs-fuse: a
   * plain unmount fails while an smbd child sits in the share (busy), and {@code zfs umount -f} of
   * a dataset under a dead parent fails too once the kernel no longer has the path cached (the
   * lookup goes to the dead parent: ENOTCONN). A lazy unmount of the tree's top needs no lookup in
   * it; processes left on it get errors until Samba is told to close the share; {@code zfs mount}
   * then mounts each dataset again.
   */
  public void detachDead(String mountpoint) throws CommandFailedException {
    runner.run(Command.of("umount", "-l", mountpoint));
  }

  public void mount(String dataset) throws CommandFailedException {
    runner.run(Command.of(zfs, "mount", dataset));
  }

  /** Renames a dataset (same pool); its mountpoint follows when inherited. */
  public void rename(String from, String to) throws CommandFailedException {
    runner.run(Command.of(zfs, "rename", from, to));
  }

  /**
   * Retries "dataset is busy" for a few seconds. Measured on zfs-fuse: the first destroy of even
   * an untouched dataset reports busy while it unmounts, the next succeeds; and smbd children
   * that served a share exit shortly after the reload that unpublished it.
   */
  private void destroy(Command destroy) throws CommandFailedException, InterruptedException {
    for (int attempt = 1; ; attempt++) {
      CommandResult r = runner.runAllowingFailure(destroy);
      if (r.succeeded()) {
        return;
      }
      if (!r.stderr().contains("busy") || attempt == BUSY_RETRIES) {
        throw new CommandFailedException(destroy, r.exitCode(), r.stderr(), "exited with " + r.exitCode());
      }
      Thread.sleep(BUSY_WAIT_MS);
    }
  }

  private static final int BUSY_RETRIES = 20;
  private static final long BUSY_WAIT_MS = 250;

  public String binary() {
    return zfs;
  }
}
