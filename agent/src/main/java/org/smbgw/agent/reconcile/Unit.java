package org.smbgw.agent.reconcile;

import java.util.List;

/**
 * Steps that stand or fall together: those of one share or one user. When one fails, the ones
 * already done are undone in reverse order; other units are unaffected.
 *
 * @param subject {@code share/NAME} or {@code user/NAME}
 */
public record Unit(String subject, List<Step> steps) {
  public Unit {
    steps = List.copyOf(steps);
  }
}
