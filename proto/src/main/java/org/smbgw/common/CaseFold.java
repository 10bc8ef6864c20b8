package org.smbgw.common;

import java.util.HashMap;
import java.util.Map;

/**
 * Case folding as an equivalence: code points linked by any of Java's simple upper, lower or title
 * case mappings, followed in both directions and transitively, form one class, and each class is
 * represented by its smallest code point. Unlike {@code toLowerCase} alone this joins the Kelvin
 * sign with 'k', the long s with 's', the dotless and dotted i with 'i', final sigma with sigma.
 * The table is built once (about 2,800 cased code points); lookups are thread-safe.
 */
final class CaseFold {
  /** Every code point that has a case relative, to its class's smallest member. */
  private static final Map<Integer, Integer> REPRESENTATIVE = build();

  private CaseFold() {}

  static String key(String s) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(REPRESENTATIVE.getOrDefault(c, c)));
    return b.toString();
  }

  private static Map<Integer, Integer> build() {
    Map<Integer, Integer> parent = new HashMap<>();
    for (int c = 0; c <= Character.MAX_CODE_POINT; c++) {
      union(parent, c, Character.toUpperCase(c));
      union(parent, c, Character.toLowerCase(c));
      union(parent, c, Character.toTitleCase(c));
    }
    Map<Integer, Integer> out = new HashMap<>();
    parent.keySet().forEach(c -> out.put(c, find(parent, c)));
    return out;
  }

  private static void union(Map<Integer, Integer> parent, int a, int b) {
    if (a == b) {
      return;
    }
    int ra = find(parent, a);
    int rb = find(parent, b);
    if (ra != rb) {
      // The smaller code point stays the root, so it ends up representing the class.
      parent.put(Math.max(ra, rb), Math.min(ra, rb));
    }
  }

  private static int find(Map<Integer, Integer> parent, int c) {
    parent.putIfAbsent(c, c);
    int root = c;
    while (parent.get(root) != root) {
      root = parent.get(root);
    }
    return root;
  }
}
