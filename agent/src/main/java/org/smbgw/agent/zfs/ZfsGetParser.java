package org.smbgw.agent.zfs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code zfs get -Hp -o name,property,value,source <props>} output: one tab-separated line
 * per dataset and property. A user property that is not set shows as value {@code -}; smbgw's
 * marks count only where they were set (source {@code local}), never where inherited.
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
      // ZFS user properties are inherited: a dataset made by hand inside a share's dataset shows
      // the share's mark "inherited from" it. Only a mark set on the dataset itself is smbgw's.
      boolean mark = f[1].equals(Dataset.SHARE_PROPERTY) || f[1].equals(Dataset.STATE_PROPERTY);
      boolean local = f.length < 4 || f[3].equals("local");
      props.computeIfAbsent(f[0], k -> new LinkedHashMap<>()).put(f[1], mark && !local ? "-" : f[2]);
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
