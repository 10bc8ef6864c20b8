package org.smbgw.common;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
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
  private static final YAMLMapper YAML = YAMLMapper.builder(YAMLFactory.builder()
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .build())
      .build();
  private static final Set<String> SHARE_FIELDS = Set.of("storage", "quota", "readOnly",
      "browseable", "comment", "read", "write", "admin", "guestOk", "adopt", "minProtocol", "encrypt", "hostsAllow",
      "hostsDeny", "address", "quotaWarningPercent",
      "quotaCriticalPercent");

  private Resources() {}

  /** Parses every document; throws {@link InvalidSpecException} listing all violations found. */
  public static List<Resource> parse(String yaml) {
    List<Resource> resources = new ArrayList<>();
    List<Violation> out = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = YAML.readerFor(JsonNode.class).readValues(yaml)) {
      int index = 0;
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        index++;
        if (doc == null || doc.isNull() || doc.isMissingNode() || (doc.isObject() && doc.isEmpty())) {
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
      throw new InvalidSpecException("yaml", "not valid YAML: " + firstLine(e.getMessage()));
    }
    InvalidSpecException.throwIfAny(out);
    return resources;
  }

  private static Resource document(String where, JsonNode doc, List<Violation> out) {
    if (!doc.isObject()) {
      out.add(new Violation(where, "must be a mapping with apiVersion, kind, metadata and spec"));
      return null;
    }
    Fields top = new Fields(where, doc, Set.of("apiVersion", "kind", "metadata", "spec"), out);
    String api = top.string("apiVersion");
    if (!API_VERSION.equals(api)) {
      out.add(new Violation(where + ".apiVersion", "must be " + API_VERSION + " (got " + Text.quote(api) + ")"));
    }
    String kind = top.string("kind");
    JsonNode metadata = doc.path("metadata");
    Fields meta = new Fields(where + ".metadata", metadata, Set.of("name"), out);
    String name = meta.string("name");
    if (name == null) {
      out.add(new Violation(where + ".metadata.name", "a name is required"));
      return null;
    }
    String prefix = (kind == null ? where : kind) + "/" + name + ": spec";
    JsonNode spec = doc.path("spec");
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

  private static ShareSpec share(String prefix, String name, JsonNode spec, List<Violation> out) {
    Fields f = new Fields(prefix, spec, SHARE_FIELDS, out);
    ShareSpec.Builder b = ShareSpec.newBuilder().setName(name);
    JsonNode storage = spec.path("storage");
    if (!storage.isMissingNode()) {
      Fields s = new Fields(prefix + ".storage", storage, Set.of("pve", "zfs", "directory"), out);
      if ((storage.has("zfs") ? 1 : 0) + (storage.has("directory") ? 1 : 0) + (storage.has("pve") ? 1 : 0) > 1) {
        out.add(new Violation(prefix + ".storage", "give one of pve, zfs or directory"));
      } else if (storage.has("pve")) {
        b.setStorage(Storage.newBuilder().setPve(orEmpty(s.string("pve"))));
      } else if (storage.has("zfs")) {
        Fields z = new Fields(prefix + ".storage.zfs", storage.get("zfs"), Set.of("parent"), out);
        b.setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent(orEmpty(z.string("parent")))));
      } else if (storage.has("directory")) {
        Fields d = new Fields(prefix + ".storage.directory", storage.get("directory"), Set.of("path"), out);
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
    b.setRead(access(prefix + ".read", spec.path("read"), out));
    b.setWrite(access(prefix + ".write", spec.path("write"), out));
    b.setAdmin(access(prefix + ".admin", spec.path("admin"), out));
    return b.build();
  }

  private static Access access(String field, JsonNode node, List<Violation> out) {
    Access.Builder b = Access.newBuilder();
    if (node.isMissingNode() || node.isNull()) {
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
        yaml.append(YAML.writeValueAsString(tree(r)));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render " + r.kind() + "/" + r.name(), e);
      }
    }
    return yaml.toString();
  }

  private static ObjectNode tree(Resource r) {
    JsonNodeFactory json = JsonNodeFactory.instance;
    ObjectNode doc = json.objectNode();
    doc.put("apiVersion", API_VERSION).put("kind", r.kind());
    doc.putObject("metadata").put("name", r.name());
    if (r instanceof Resource.Share share) {
      ShareSpec s = share.spec();
      ObjectNode spec = doc.putObject("spec");
      ObjectNode storage = spec.putObject("storage");
      switch (s.getStorage().getKindCase()) {
        case ZFS -> storage.putObject("zfs").put("parent", s.getStorage().getZfs().getParent());
        case DIRECTORY -> storage.putObject("directory").put("path", s.getStorage().getDirectory().getPath());
        case PVE -> storage.put("pve", s.getStorage().getPve());
        case KIND_NOT_SET -> spec.remove("storage");
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
        s.getHostsAllowList().forEach(spec.putArray("hostsAllow")::add);
      }
      if (s.getHostsDenyCount() > 0) {
        s.getHostsDenyList().forEach(spec.putArray("hostsDeny")::add);
      }
      if (!s.getAddress().isEmpty()) {
        spec.put("address", s.getAddress());
      }
    } else if (r instanceof Resource.User user) {
      doc.putObject("spec").put("ntHash", user.spec().getNtHash());
    }
    return doc;
  }

  private static void putAccess(ObjectNode spec, String field, Access access) {
    if (access.getUsersCount() + access.getGroupsCount() == 0) {
      return;
    }
    ObjectNode acc = spec.putObject(field);
    access.getUsersList().forEach(acc.putArray("users")::add);
    access.getGroupsList().forEach(acc.putArray("groups")::add);
    removeEmpty(acc);
  }

  private static void removeEmpty(ObjectNode node) {
    node.properties().removeIf(e -> e.getValue() instanceof ArrayNode arr && arr.isEmpty());
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
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
    private final JsonNode node;
    private final List<Violation> out;

    Fields(String prefix, JsonNode node, Set<String> known, List<Violation> out) {
      this.prefix = prefix;
      this.node = node;
      this.out = out;
      if (node.isMissingNode() || node.isNull()) {
        return;
      }
      if (!node.isObject()) {
        out.add(new Violation(prefix, "must be a mapping"));
        return;
      }
      node.fieldNames().forEachRemaining(name -> {
        if (!known.contains(name)) {
          out.add(new Violation(prefix + "." + name, "unknown field"
              + (known.isEmpty() ? "" : " (known: " + String.join(", ", new TreeSet<>(known)) + ")")));
        }
      });
    }

    String string(String name) {
      JsonNode v = node.path(name);
      if (v.isMissingNode() || v.isNull()) {
        return null;
      }
      if (!v.isValueNode() || v.isBoolean()) {
        out.add(new Violation(prefix + "." + name, "must be text"));
        return null;
      }
      return v.asText();
    }

    Integer percent(String name) {
      JsonNode v = node.path(name);
      if (v.isMissingNode() || v.isNull()) {
        return null;
      }
      if (!v.isIntegralNumber() || v.asInt() < 1 || v.asInt() > 100) {
        out.add(new Violation(prefix + "." + name, "must be a whole percentage from 1 to 100"));
        return null;
      }
      return v.asInt();
    }

    Boolean bool(String name) {
      JsonNode v = node.path(name);
      if (v.isMissingNode() || v.isNull()) {
        return null;
      }
      if (!v.isBoolean()) {
        out.add(new Violation(prefix + "." + name, "must be true or false"));
        return null;
      }
      return v.booleanValue();
    }

    List<String> strings(String name) {
      JsonNode v = node.path(name);
      List<String> values = new ArrayList<>();
      if (v.isMissingNode() || v.isNull()) {
        return values;
      }
      if (!v.isArray()) {
        out.add(new Violation(prefix + "." + name, "must be a list"));
        return values;
      }
      for (int i = 0; i < v.size(); i++) {
        if (!v.get(i).isTextual()) {
          out.add(new Violation(prefix + "." + name + "[" + i + "]", "must be text"));
        } else {
          values.add(v.get(i).asText());
        }
      }
      return values;
    }
  }
}
