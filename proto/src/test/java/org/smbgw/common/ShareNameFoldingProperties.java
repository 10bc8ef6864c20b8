package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Share-name uniqueness is at least as coarse as every case-insensitive comparison Java knows:
 * names that {@code equalsIgnoreCase} (upper-casing, then lower-casing, char by char) or that
 * differ only by upper- or lower-casing each code point share one key.
 */
class ShareNameFoldingProperties {
  @Provide
  Arbitrary<String> names() {
    // Cased letters from many scripts, their odd relatives (Kelvin, long s, dotless i, final
    // sigma, titlecase digraphs) and a few uncased characters.
    Arbitrary<Character> cased = Arbitraries.chars().range('\u0041', '\u024f').with('\u212a', '\u212b', '\u2126',
        '\u017f', '\u0131', '\u0130', '\u03c2', '\u03a3', '\u01c5', '\u1e9e', '\u00df', '-', '$', ' ')
        .range('\u0370', '\u03ff').range('\u0400', '\u04ff').range('\u1e00', '\u1eff');
    return cased.list().ofMinSize(1).ofMaxSize(6).map(cs -> {
      StringBuilder b = new StringBuilder();
      cs.forEach(b::append);
      return b.toString();
    });
  }

  private static String mapEach(String s, java.util.function.IntUnaryOperator f) {
    StringBuilder b = new StringBuilder();
    s.codePoints().map(f).forEach(b::appendCodePoint);
    return b.toString();
  }

  @Property(tries = 2000)
  void upperOrLowerCasingAnyCodePointKeepsTheKey(@ForAll("names") String name) {
    String key = Names.uniquenessKey(name);
    assertEquals(key, Names.uniquenessKey(mapEach(name, Character::toUpperCase)));
    assertEquals(key, Names.uniquenessKey(mapEach(name, Character::toLowerCase)));
    assertEquals(key, Names.uniquenessKey(mapEach(name, Character::toTitleCase)));
    assertEquals(key, Names.uniquenessKey(key), "a key is its own key");
  }

  @Property(tries = 2000)
  void namesJavaCallsEqualIgnoringCaseShareAKey(@ForAll("names") String a, @ForAll long seed) {
    java.util.Random random = new java.util.Random(seed);
    StringBuilder b = new StringBuilder();
    for (char c : a.toCharArray()) {
      b.append(random.nextBoolean() ? Character.toUpperCase(c) : Character.toLowerCase(c));
    }
    String twin = b.toString();
    assertEquals(true, a.equalsIgnoreCase(twin), a + " / " + twin);
    assertEquals(Names.uniquenessKey(a), Names.uniquenessKey(twin), a + " / " + twin);
  }
}
