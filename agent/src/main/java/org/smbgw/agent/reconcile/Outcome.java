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
