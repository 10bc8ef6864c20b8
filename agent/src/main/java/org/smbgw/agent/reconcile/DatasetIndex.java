package org.smbgw.agent.reconcile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.smbgw.agent.zfs.Dataset;

/** Finds the dataset serving a share: a direct child of its parent carrying its mark. */
public final class DatasetIndex {
  private final Map<String, List<Dataset>> byShare = new HashMap<>();

  public DatasetIndex(Map<String, Dataset> datasets) {
    datasets.values().stream().filter(Dataset::managed)
        .forEach(d -> byShare.computeIfAbsent(d.share(), k -> new ArrayList<>()).add(d));
  }

  /** The share's active dataset under another parent than {@code parent}: its storage changed. */
  public Optional<Dataset> activeElsewhere(String parent, String share) {
    return byShare.getOrDefault(share, List.of()).stream()
        .filter(d -> !d.retired() && !d.name().substring(0, d.name().lastIndexOf('/')).equals(parent))
        .min(Comparator.comparing(Dataset::name));
  }

  /** The active dataset if there is one, else a retired one to bring back. */
  public Optional<Dataset> find(String parent, String share) {
    return byShare.getOrDefault(share, List.of()).stream()
        .filter(d -> d.name().startsWith(parent + "/") && d.name().indexOf('/', parent.length() + 1) < 0)
        .min(Comparator.comparing(Dataset::retired).thenComparing(Dataset::name));
  }
}
