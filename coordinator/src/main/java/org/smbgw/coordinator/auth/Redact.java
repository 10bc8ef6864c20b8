package org.smbgw.coordinator.auth;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.util.Set;

/**
 * A request as the audit trail keeps it: JSON, secrets replaced, and cut at {@link #MAX_CHARS}.
 * A secret is a field marked {@code [debug_redact = true]} in the .proto files, or, as a second
 * net, a text field with one of the {@link #SECRET_FIELDS} names.
 */
final class Redact {
  /** Fields that hold a password equivalent, wherever they are nested. */
  static final Set<String> SECRET_FIELDS = Set.of("nt_hash", "password", "secret");
  static final String REPLACED = "(redacted)";
  /** An apply of a thousand shares is kept as its beginning and its length. */
  static final int MAX_CHARS = 1024;

  private Redact() {}

  static String json(Object request) {
    if (!(request instanceof Message m)) {
      return "";
    }
    try {
      String json = JsonFormat.printer().omittingInsignificantWhitespace().print(redacted(m));
      return json.length() <= MAX_CHARS ? json
          : json.substring(0, MAX_CHARS) + "... (" + json.length() + " characters in all)";
    } catch (InvalidProtocolBufferException e) {
      return "(not printable: " + e.getMessage() + ")";
    }
  }

  static boolean secret(FieldDescriptor f) {
    return f.getOptions().getDebugRedact()
        || f.getJavaType() == FieldDescriptor.JavaType.STRING && SECRET_FIELDS.contains(f.getName());
  }

  static Message redacted(Message m) {
    Message.Builder b = m.toBuilder();
    for (var e : m.getAllFields().entrySet()) {
      FieldDescriptor f = e.getKey();
      if (secret(f)) {
        if (f.getJavaType() != FieldDescriptor.JavaType.STRING || f.isRepeated()) {
          b.clearField(f); // no text to put in its place: it is left out
        } else {
          b.setField(f, REPLACED);
        }
      } else if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        if (f.isRepeated()) {
          b.clearField(f);
          for (int i = 0; i < m.getRepeatedFieldCount(f); i++) {
            b.addRepeatedField(f, redacted((Message) m.getRepeatedField(f, i)));
          }
        } else {
          b.setField(f, redacted((Message) e.getValue()));
        }
      }
    }
    return b.build();
  }
}
