package org.smbgw.agent.zfs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code zfs get -Hp -o name,property,value <props>} output: one tab-separated line per
 * dataset and property. A user property that is not set shows as value {@code -}.
 */
public final class ZfsGetParser {
  private ZfsGetParser() {}

  public static Map<String, Dataset> parse(String output) {
    Map<String, Map<String, String>> props = new LinkedHashMap<>();
    for (String line : output.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      String[] f = line.split("\t", -1);
      if (f.length < 3) {
        throw new IllegalArgumentException("unexpected zfs get line: " + line);
      }
      props.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], f[2]);
    }
    Map<String, Dataset> out = new LinkedHashMap<>();
    props.forEach((name, p) -> out.put(name, new Dataset(name, p.getOrDefault("type", "-"),
        number(p.get("quota")), number(p.get("used")), number(p.get("available")),
        p.getOrDefault("mountpoint", "-"), "yes".equals(p.get("mounted")),
        userProp(p.get(Dataset.SHARE_PROPERTY)), userProp(p.get(Dataset.STATE_PROPERTY)))));
    return out;
  }

  private static long number(String v) {
    if (v == null || v.equals("-") || v.equals("none")) {
      return 0;
    }
    return Long.parseLong(v);
  }

  private static String userProp(String v) {
    return v == null || v.equals("-") ? null : v;
  }
}
