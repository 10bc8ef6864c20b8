package org.smbgw.common;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.jr.ob.JSON;
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
  /** Compact JSON; maps and lists only (no bean introspection). */
  public static final JSON JSON = of(new JsonFactory());
  /** The same, indented for a person to read. */
  public static final JSON PRETTY_JSON = JSON.with(com.fasterxml.jackson.jr.ob.JSON.Feature.PRETTY_PRINT_OUTPUT);

  private Trees() {}

  /** Documents of {@code factory}'s format (YAML, say) as plain values. */
  public static JSON of(JsonFactory factory) {
    return com.fasterxml.jackson.jr.ob.JSON.builder(factory)
        .disable(com.fasterxml.jackson.jr.ob.JSON.Feature.HANDLE_JAVA_BEANS)
        .enable(com.fasterxml.jackson.jr.ob.JSON.Feature.WRITE_NULL_PROPERTIES)
        .build();
  }

  /**
   * Every document of {@code text} in {@code format} (YAML's {@code ---} separates them), in order;
   * none for an empty text or one of comments only. An empty document reads as null.
   */
  public static List<Object> documents(JSON format, String text) throws java.io.IOException {
    List<Object> docs = new java.util.ArrayList<>();
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
        if (e.getCause() instanceof java.io.IOException io) {
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
  public static java.util.Collection<Object> elements(Object value) {
    return value instanceof Map<?, ?> ? map(value).values() : list(value);
  }

  /** The value under {@code key} when {@code value} is a mapping, else null. */
  public static Object get(Object value, String key) {
    return map(value).get(key);
  }

  /** A scalar as text (a number in its decimal form); {@code fallback} for null, a mapping or a list. */
  public static String text(Object value, String fallback) {
    return isScalar(value) ? value.toString() : fallback;
  }

  /** A whole number; {@code fallback} when {@code value} is none. */
  public static long number(Object value, long fallback) {
    return isWhole(value) ? ((Number) value).longValue() : fallback;
  }

  /** Text, a number or a boolean. */
  public static boolean isScalar(Object value) {
    return value instanceof String || value instanceof Number || value instanceof Boolean;
  }

  /** An integer, as the parser read one (not 1.0). */
  public static boolean isWhole(Object value) {
    return value instanceof Integer || value instanceof Long || value instanceof java.math.BigInteger;
  }
}
