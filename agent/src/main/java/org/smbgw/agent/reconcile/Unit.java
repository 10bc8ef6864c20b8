package org.smbgw.agent.reconcile;

import java.util.List;

/**
 * Steps that stand or fall together: those of one share, one user or one dead mount tree. When one
 * fails, the ones already done are undone in reverse order; other units are unaffected.
 *
 * @param subject {@code share/NAME}, {@code user/NAME} or {@code mount/DATASET}
 */
public record Unit(String subject, List<Step> steps) {
  public Unit {
    steps = List.copyOf(steps);
  }
}
