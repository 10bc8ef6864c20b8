package org.smbgw.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.jr.ob.JSON;
import com.fasterxml.jackson.jr.ob.JSON.Feature;
import java.io.IOException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * JSON and YAML documents as plain Java values, read and written by jackson-jr: a mapping is a
 * {@code Map<String, Object>} in document order, a list a {@code List<Object>}, a scalar a
 * String, Number (Integer, Long, BigInteger or Double) or Boolean, and null is null.
 *
 * <p>Not jackson-databind: its ObjectMapper, even for the tree model alone, kept about 5 MB more
 * resident in a daemon than jackson-jr does (measured side by side with the agent's JVM options,
 * issue 16). The daemons read small files and programs' output; they bind nothing to classes.
 */
public final class Trees {
  /** Compact JSON. */
  public static final JSON PLAIN_JSON = of(new JsonFactory());
  /** The same, indented for a person to read. */
  public static final JSON PRETTY_JSON = PLAIN_JSON.with(Feature.PRETTY_PRINT_OUTPUT);
  /**
   * YAML that people write (configuration, desired-state files): a key written twice is an error
   * naming the key and its line, not "the last one wins". Written back without a document start
   * marker, with quotes only where needed, and numbers that are text quoted.
   */
  public static final JSON PEOPLES_YAML = of(YAMLFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
      .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
      .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
      .build());

  private Trees() {}

  /**
   * Documents of {@code factory}'s format (YAML, say) as plain values:
   * <ul>
   *   <li>no bean introspection (nothing is bound to classes);</li>
   *   <li>a key written twice keeps its last value, as jackson-databind did, so that a program's
   *       output read before (iproute2 has printed such JSON) still reads; a file people write
   *       refuses it with the parser's {@code STRICT_DUPLICATE_DETECTION}, which names the key
   *       and its line;</li>
   *   <li>a null in a mapping is written, not left out: the ACL helper tells {@code "expect": null}
   *       (no ACL was stored, refuse if one appeared) from an absent key (not read).</li>
   * </ul>
   */
  public static JSON of(JsonFactory factory) {
    return JSON.builder(factory)
        .disable(Feature.HANDLE_JAVA_BEANS, Feature.FAIL_ON_DUPLICATE_MAP_KEYS)
        .enable(Feature.WRITE_NULL_PROPERTIES)
        .build();
  }

  /**
   * Every document of {@code text} in {@code format} (YAML's {@code ---} separates them), in order;
   * none for an empty text or one of comments only. An empty document reads as null.
   */
  public static List<Object> documents(JSON format, String text) throws IOException {
    List<Object> docs = new ArrayList<>();
    try (com.fasterxml.jackson.core.JsonParser p = format.createParser(text)) {
      if (p.nextToken() == null) {
        return docs;
      }
      try (com.fasterxml.jackson.jr.ob.ValueIterator<Object> it = format.anySequenceFrom(p)) {
        while (it.hasNext()) {
          Object doc = it.next();
          docs.add("".equals(doc) ? null : doc); // YAML's empty document is an empty scalar
        }
      } catch (RuntimeException e) {
        // The iterator wraps the parser's IOException (with the message that names the problem).
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw e;
      }
    }
    return docs;
  }

  /** {@code value} as a mapping, or an empty one when it is anything else. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> map(Object value) {
    return value instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
  }

  /** {@code value} as a list, or an empty one when it is anything else. */
  @SuppressWarnings("unchecked")
  public static List<Object> list(Object value) {
    return value instanceof List<?> l ? (List<Object>) l : List.of();
  }

  /** What a mapping holds (its values, in order) or a list's items; empty for anything else. */
  public static Collection<Object> elements(Object value) {
    return value instanceof Map<?, ?> ? map(value).values() : list(value);
  }

  /** The value under {@code key} when {@code value} is a mapping, else null. */
  public static Object get(Object value, String key) {
    return map(value).get(key);
  }

  /** The value down {@code keys}, one mapping inside another; null where one is missing. */
  public static Object get(Object value, String key, String... deeper) {
    Object v = get(value, key);
    for (String k : deeper) {
      v = get(v, k);
    }
    return v;
  }

  /** A scalar as text (a number in its decimal form); {@code fallback} for null, a mapping or a list. */
  public static String text(Object value, String fallback) {
    return isScalar(value) ? value.toString() : fallback;
  }

  /** A whole number; {@code fallback} when {@code value} is none or does not fit a long. */
  public static long number(Object value, long fallback) {
    if (value instanceof BigInteger big) {
      return big.bitLength() < Long.SIZE ? big.longValue() : fallback;
    }
    return isWhole(value) ? ((Number) value).longValue() : fallback;
  }

  /** Text, a number or a boolean. */
  public static boolean isScalar(Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }

  /** An integer, as the parser read one (not 1.0). */
  public static boolean isWhole(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof BigInteger;
  }
}
