package org.smbgw.agent.reconcile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.smbgw.agent.zfs.Dataset;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;

/**
 * The dead mounts a plan remounts, as trees: a FUSE daemon that died (zfs-fuse restarted) leaves
 * every mount it served dead, a parent's as well as its children's, and a child can only be mounted
 * again once its parent is. A tree is remounted when it holds a dataset of smbgw's or a parent of a
 * desired share; the datasets in it that are not smbgw's are remounted with it (a remount changes
 * nothing of a dataset, and a dead child left behind would keep its parent from unmounting).
 * Other dead mounts are none of smbgw's business. Pure; part of {@link Planner}.
 */
final class DeadMounts {
  /** Top of each tree to every dead dataset at or below it, deepest first (the order to unmount in). */
  private final Map<String, List<String>> trees = new TreeMap<>();
  private final Map<String, List<String>> waiting = new TreeMap<>();
  private final Map<String, Dataset> datasets;

  private DeadMounts(Map<String, Dataset> datasets) {
    this.datasets = datasets;
  }

  static DeadMounts of(NodeDesiredState desired, Observed obs) {
    DeadMounts m = new DeadMounts(obs.datasets());
    Set<String> dead = obs.deadMounts();
    Set<String> parents = new TreeSet<>();
    desired.getSharesList().stream().map(ShareSpec::getStorage).filter(s -> s.hasZfs())
        .forEach(s -> parents.add(s.getZfs().getParent()));
    Set<String> tops = new TreeSet<>();
    for (String d : dead) {
      Dataset ds = obs.datasets().get(d);
      boolean ours = ds != null && ds.managed();
      boolean aboveAShare = parents.stream().anyMatch(p -> p.equals(d) || p.startsWith(d + "/"));
      if (ours || aboveAShare) {
        tops.add(top(d, dead));
      }
    }
    for (String top : tops) {
      // Each dead dataset in exactly one tree: the one its unbroken chain of dead parents ends at.
      List<String> tree = new ArrayList<>(dead.stream().filter(d -> top(d, dead).equals(top)).toList());
      tree.sort(Comparator.comparingInt((String d) -> d.split("/").length).reversed().thenComparing(d -> d));
      m.trees.put(top, tree);
    }
    return m;
  }

  /** The highest dead dataset at or above {@code d} along an unbroken chain of dead ones. */
  private static String top(String d, Set<String> dead) {
    String top = d;
    for (String up = d; up.indexOf('/') > 0; ) {
      up = up.substring(0, up.lastIndexOf('/'));
      if (!dead.contains(up)) {
        break;
      }
      top = up;
    }
    return top;
  }

  /** The top of the remounted tree {@code dataset} lies in, if it lies in one. */
  Optional<String> topAbove(String dataset) {
    return trees.keySet().stream().filter(t -> dataset.equals(t) || dataset.startsWith(t + "/")).findFirst();
  }

  /** {@code subject} (a share) is served from under {@code top}: it fails if the remount does, and is closed in smbd after it. */
  void serves(String top, String subject) {
    waiting.computeIfAbsent(subject(top), k -> new ArrayList<>()).add(subject);
  }

  List<Unit> units() {
    List<Unit> units = new ArrayList<>();
    trees.forEach((top, tree) -> units.add(new Unit(subject(top), List.of(new Step.Remount(tree.stream()
        .map(d -> new Step.Remount.Mount(d, datasets.get(d).mountpoint())).toList(),
        waiting.getOrDefault(subject(top), List.of()).stream().map(s -> s.substring("share/".length())).toList())))));
    return units;
  }

  Map<String, List<String>> waiting() {
    return waiting;
  }

  private static String subject(String top) {
    return "mount/" + top;
  }
}
