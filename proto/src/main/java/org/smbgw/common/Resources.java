package org.smbgw.common;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.Set;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;
import org.smbgw.proto.v1.ZfsStorage;

/**
 * Reads and writes multi-document YAML of {@code apiVersion: smbgw/v1} resources. Reading is
 * strict: an unknown or mistyped field is a violation naming it, never silently dropped.
 * Writing produces what reading accepts, so {@code show -o yaml} output can be applied again.
 */
public final class Resources {
  public static final String API_VERSION = "smbgw/v1";
  private static final JSON YAML = Trees.PEOPLES_YAML;
  private static final Set<String> SHARE_FIELDS = Set.of("storage", "quota", "readOnly",
      "browseable", "comment", "read", "write", "admin", "guestOk", "adopt", "minProtocol", "encrypt", "hostsAllow",
      "hostsDeny", "address", "quotaWarningPercent",
      "quotaCriticalPercent");

  private Resources() {}

  /** Parses every document; throws {@link InvalidSpecException} listing all violations found. */
  public static List<Resource> parse(String yaml) {
    List<Resource> resources = new ArrayList<>();
    List<Violation> out = new ArrayList<>();
    try {
      int index = 0;
      for (Object doc : Trees.documents(YAML, yaml)) {
        index++;
        if (doc == null || (doc instanceof Map<?, ?> m && m.isEmpty())) {
          continue;
        }
        Resource r = document("document " + index, doc, out);
        if (r != null) {
          resources.add(r);
        }
      }
    } catch (IOException | RuntimeException e) {
      if (e instanceof InvalidSpecException ise) {
        throw ise;
      }
      throw new InvalidSpecException("yaml", "not valid YAML: " + problem(e));
    }
    InvalidSpecException.throwIfAny(out);
    return resources;
  }

  private static Resource document(String where, Object doc, List<Violation> out) {
    if (!(doc instanceof Map<?, ?>)) {
      out.add(new Violation(where, "must be a mapping with apiVersion, kind, metadata and spec"));
      return null;
    }
    Fields top = new Fields(where, doc, Set.of("apiVersion", "kind", "metadata", "spec"), out);
    String api = top.string("apiVersion");
    if (!API_VERSION.equals(api)) {
      out.add(new Violation(where + ".apiVersion", "must be " + API_VERSION + " (got " + Text.quote(api) + ")"));
    }
    String kind = top.string("kind");
    Object metadata = Trees.get(doc, "metadata");
    Fields meta = new Fields(where + ".metadata", metadata, Set.of("name"), out);
    String name = meta.string("name");
    if (name == null) {
      out.add(new Violation(where + ".metadata.name", "a name is required"));
      return null;
    }
    String prefix = (kind == null ? where : kind) + "/" + name + ": spec";
    Object spec = Trees.get(doc, "spec");
    if (kind == null) {
      out.add(new Violation(where + ".kind", "a kind is required: Share, User or Purge"));
      return null;
    }
    switch (kind) {
      case "Share":
        return new Resource.Share(share(prefix, name, spec, out));
      case "User": {
        Fields f = new Fields(prefix, spec, Set.of("ntHash"), out);
        String hash = f.string("ntHash");
        return new Resource.User(UserSpec.newBuilder().setName(name)
            .setNtHash(hash == null ? "" : NtHash.canonical(hash)).build());
      }
      case "Purge":
        new Fields(prefix, spec, Set.of(), out);
        return new Resource.Purge(name);
      default:
        out.add(new Violation(where + ".kind", "unknown kind " + Text.quote(kind) + "; known: Share, User, Purge"));
        return null;
    }
  }

  private static ShareSpec share(String prefix, String name, Object spec, List<Violation> out) {
    Fields f = new Fields(prefix, spec, SHARE_FIELDS, out);
    ShareSpec.Builder b = ShareSpec.newBuilder().setName(name);
    Map<String, Object> specMap = Trees.map(spec);
    if (specMap.containsKey("storage")) {
      Object storage = specMap.get("storage");
      Map<String, Object> kinds = Trees.map(storage);
      Fields s = new Fields(prefix + ".storage", storage, Set.of("pve", "zfs", "directory"), out);
      if ((kinds.containsKey("zfs") ? 1 : 0) + (kinds.containsKey("directory") ? 1 : 0)
          + (kinds.containsKey("pve") ? 1 : 0) > 1) {
        out.add(new Violation(prefix + ".storage", "give one of pve, zfs or directory"));
      } else if (kinds.containsKey("pve")) {
        b.setStorage(Storage.newBuilder().setPve(orEmpty(s.string("pve"))));
      } else if (kinds.containsKey("zfs")) {
        Fields z = new Fields(prefix + ".storage.zfs", kinds.get("zfs"), Set.of("parent"), out);
        b.setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent(orEmpty(z.string("parent")))));
      } else if (kinds.containsKey("directory")) {
        Fields d = new Fields(prefix + ".storage.directory", kinds.get("directory"), Set.of("path"), out);
        b.setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(orEmpty(d.string("path")))));
      }
    }
    String quota = f.string("quota");
    if (quota != null) {
      long bytes = Sizes.parse(prefix + ".quota", quota, out);
      if (bytes > 0) {
        b.setQuotaBytes(bytes);
      }
    }
    Boolean v;
    if ((v = f.bool("readOnly")) != null) {
      b.setReadOnly(v);
    }
    if ((v = f.bool("browseable")) != null && !v) {
      b.setBrowseable(false); // absent means browseable: keeps one canonical form for comparisons
    }
    if ((v = f.bool("guestOk")) != null) {
      b.setGuestOk(v);
    }
    if ((v = f.bool("adopt")) != null) {
      b.setAdopt(v);
    }
    Integer p;
    if ((p = f.percent("quotaWarningPercent")) != null) {
      b.setQuotaWarningPercent(p);
    }
    if ((p = f.percent("quotaCriticalPercent")) != null) {
      b.setQuotaCriticalPercent(p);
    }
    b.setComment(orEmpty(f.string("comment")));
    b.setAddress(orEmpty(f.string("address")));
    b.setMinProtocol(orEmpty(f.string("minProtocol")));
    b.setEncrypt(orEmpty(f.string("encrypt")));
    b.addAllHostsAllow(f.strings("hostsAllow"));
    b.addAllHostsDeny(f.strings("hostsDeny"));
    b.setRead(access(prefix + ".read", specMap.get("read"), out));
    b.setWrite(access(prefix + ".write", specMap.get("write"), out));
    b.setAdmin(access(prefix + ".admin", specMap.get("admin"), out));
    return b.build();
  }

  private static Access access(String field, Object node, List<Violation> out) {
    Access.Builder b = Access.newBuilder();
    if (node == null) {
      return b.build();
    }
    Fields f = new Fields(field, node, Set.of("users", "groups"), out);
    b.addAllUsers(f.strings("users"));
    b.addAllGroups(f.strings("groups"));
    return b.build();
  }

  /** Resources sorted by kind, in file order. */
  public record ByKind(List<ShareSpec> shares, List<UserSpec> users, List<String> purges) {}

  public static ByKind byKind(List<Resource> resources) {
    List<ShareSpec> shares = new ArrayList<>();
    List<UserSpec> users = new ArrayList<>();
    List<String> purges = new ArrayList<>();
    for (Resource r : resources) {
      if (r instanceof Resource.Share s) {
        shares.add(s.spec());
      } else if (r instanceof Resource.User u) {
        users.add(u.spec());
      } else if (r instanceof Resource.Purge p) {
        purges.add(p.name());
      }
    }
    return new ByKind(shares, users, purges);
  }

  /** Renders resources as multi-document YAML that {@link #parse} reads back to the same values. */
  public static String toYaml(List<? extends Resource> resources) {
    StringBuilder yaml = new StringBuilder();
    for (Resource r : resources) {
      if (yaml.length() > 0) {
        yaml.append("---\n");
      }
      try {
        yaml.append(YAML.asString(tree(r)));
      } catch (IOException e) {
        throw new IllegalStateException("cannot render " + r.kind() + "/" + r.name(), e);
      }
    }
    return yaml.toString();
  }

  private static Map<String, Object> tree(Resource r) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("apiVersion", API_VERSION);
    doc.put("kind", r.kind());
    doc.put("metadata", Map.of("name", r.name()));
    if (r instanceof Resource.Share share) {
      ShareSpec s = share.spec();
      Map<String, Object> spec = new LinkedHashMap<>();
      doc.put("spec", spec);
      switch (s.getStorage().getKindCase()) {
        case ZFS -> spec.put("storage", Map.of("zfs", Map.of("parent", s.getStorage().getZfs().getParent())));
        case DIRECTORY -> spec.put("storage", Map.of("directory", Map.of("path", s.getStorage().getDirectory().getPath())));
        case PVE -> spec.put("storage", Map.of("pve", s.getStorage().getPve()));
        case KIND_NOT_SET -> { }
      }
      if (s.getQuotaBytes() > 0) {
        spec.put("quota", Sizes.format(s.getQuotaBytes()));
      }
      if (s.hasQuotaWarningPercent()) {
        spec.put("quotaWarningPercent", s.getQuotaWarningPercent());
      }
      if (s.hasQuotaCriticalPercent()) {
        spec.put("quotaCriticalPercent", s.getQuotaCriticalPercent());
      }
      spec.put("readOnly", s.getReadOnly());
      spec.put("browseable", !s.hasBrowseable() || s.getBrowseable());
      if (!s.getComment().isEmpty()) {
        spec.put("comment", s.getComment());
      }
      putAccess(spec, "read", s.getRead());
      putAccess(spec, "write", s.getWrite());
      putAccess(spec, "admin", s.getAdmin());
      spec.put("guestOk", s.getGuestOk());
      if (s.getAdopt()) {
        spec.put("adopt", true);
      }
      if (!s.getMinProtocol().isEmpty()) {
        spec.put("minProtocol", s.getMinProtocol());
      }
      if (!s.getEncrypt().isEmpty()) {
        spec.put("encrypt", s.getEncrypt());
      }
      if (s.getHostsAllowCount() > 0) {
        spec.put("hostsAllow", s.getHostsAllowList());
      }
      if (s.getHostsDenyCount() > 0) {
        spec.put("hostsDeny", s.getHostsDenyList());
      }
      if (!s.getAddress().isEmpty()) {
        spec.put("address", s.getAddress());
      }
    } else if (r instanceof Resource.User user) {
      doc.put("spec", Map.of("ntHash", user.spec().getNtHash()));
    }
    return doc;
  }

  private static void putAccess(Map<String, Object> spec, String field, Access access) {
    Map<String, Object> acc = new LinkedHashMap<>();
    if (access.getUsersCount() > 0) {
      acc.put("users", access.getUsersList());
    }
    if (access.getGroupsCount() > 0) {
      acc.put("groups", access.getGroupsList());
    }
    if (!acc.isEmpty()) {
      spec.put(field, acc);
    }
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /** The parser's message without its source dump, with the line it names. */
  private static String problem(Exception e) {
    if (e instanceof JacksonException j) {
      JsonLocation at = j.getLocation();
      return firstLine(j.getOriginalMessage())
          + (at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ")");
    }
    return firstLine(e.getMessage());
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Typed, strict access to one mapping's fields; unknown keys become violations on construction. */
  private static final class Fields {
    private final String prefix;
    private final Map<String, Object> node;
    private final List<Violation> out;

    Fields(String prefix, Object node, Set<String> known, List<Violation> out) {
      this.prefix = prefix;
      this.node = Trees.map(node);
      this.out = out;
      if (node == null) {
        return;
      }
      if (!(node instanceof Map<?, ?>)) {
        out.add(new Violation(prefix, "must be a mapping"));
        return;
      }
      this.node.keySet().forEach(name -> {
        if (!known.contains(name)) {
          out.add(new Violation(prefix + "." + name, "unknown field"
              + (known.isEmpty() ? "" : " (known: " + String.join(", ", new TreeSet<>(known)) + ")")));
        }
      });
    }

    String string(String name) {
      Object v = node.get(name);
      if (v == null) {
        return null;
      }
      if (!Trees.isScalar(v) || v instanceof Boolean) {
        out.add(new Violation(prefix + "." + name, "must be text"));
        return null;
      }
      return v.toString();
    }

    Integer percent(String name) {
      Object v = node.get(name);
      if (v == null) {
        return null;
      }
      long p = Trees.number(v, 0);
      if (p < 1 || p > 100) {
        out.add(new Violation(prefix + "." + name, "must be a whole percentage from 1 to 100"));
        return null;
      }
      return (int) p;
    }

    Boolean bool(String name) {
      Object v = node.get(name);
      if (v == null) {
        return null;
      }
      if (!(v instanceof Boolean b)) {
        out.add(new Violation(prefix + "." + name, "must be true or false"));
        return null;
      }
      return b;
    }

    List<String> strings(String name) {
      Object v = node.get(name);
      List<String> values = new ArrayList<>();
      if (v == null) {
        return values;
      }
      if (!(v instanceof List<?> items)) {
        out.add(new Violation(prefix + "." + name, "must be a list"));
        return values;
      }
      for (int i = 0; i < items.size(); i++) {
        if (!(items.get(i) instanceof String text)) {
          out.add(new Violation(prefix + "." + name + "[" + i + "]", "must be text"));
        } else {
          values.add(text);
        }
      }
      return values;
    }
  }
}
