package org.smbgw.common;

/** One broken rule: which field, and what the rule is, in words a person can act on. */
public record Violation(String field, String rule) {
  @Override
  public String toString() {
    return field + ": " + rule;
  }
}
