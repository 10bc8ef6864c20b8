package org.smbgw.agent.reconcile;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What one apply achieved. Errors are keyed by subject ({@code share/NAME}, {@code user/NAME},
 * or {@code node}) and say what a person can do about them.
 */
public final class Outcome {
  private final Map<String, String> errors = new TreeMap<>();
  private final Set<String> failedShares = new TreeSet<>();
  private final Map<String, String> remounted = new TreeMap<>();
  private int stepsApplied;
  private String served;
  private Map<String, String> servedPaths = Map.of();

  void fail(String subject, String error) {
    errors.merge(subject, error, (a, b) -> a + "; " + b);
    if (subject.startsWith("share/")) {
      failedShares.add(subject.substring(6));
    }
  }

  /** {@code subject}'s files are reachable again: its dead mount was remounted, as {@code what} says. */
  void remounted(String subject, String what) {
    remounted.put(subject, what);
  }

  /** Per share subject, the remount this pass did under it. */
  public Map<String, String> remounted() {
    return remounted;
  }

  /**
   * The include this pass published (or found as it should be), and where each share it composed
   * it with is. New connections read it as installed, and smbd was told to reload it for the ones
   * it has (if that failed, the pass failed and the next one tells it): as good as the next pass's
   * look, which reads the same file.
   */
  void served(String include, Map<String, String> paths) {
    served = include;
    servedPaths = Map.copyOf(paths);
  }

  /** Where each share this pass composed the include with is (empty when it composed none). */
  public Map<String, String> servedPaths() {
    return servedPaths;
  }

  /**
   * The include this pass published, when it composed one: what a status must go by, for the
   * include observed before the pass is the old one. Empty when the pass did not compose the
   * include (nothing to publish, or its publish failed and was undone). The publish that opens a
   * share to its writers once its ACL is seeded changes only options, not which shares are served.
   */
  public java.util.Optional<String> served() {
    return java.util.Optional.ofNullable(served);
  }

  void applied() {
    stepsApplied++;
  }

  public Map<String, String> errors() {
    return errors;
  }

  /** Shares whose steps failed (and were undone) in this pass. */
  public Set<String> failedShares() {
    return failedShares;
  }

  public int stepsApplied() {
    return stepsApplied;
  }

  public boolean ok() {
    return errors.isEmpty();
  }
}
