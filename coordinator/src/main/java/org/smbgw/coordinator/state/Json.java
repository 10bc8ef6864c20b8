package org.smbgw.coordinator.state;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import java.nio.charset.StandardCharsets;

/** Protobuf messages as the JSON stored in znodes (readable with zkCli get). */
public final class Json {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().omittingInsignificantWhitespace();
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private Json() {}

  public static byte[] bytes(Message m) {
    try {
      return PRINTER.print(m).getBytes(StandardCharsets.UTF_8);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("cannot print " + m.getDescriptorForType().getName(), e);
    }
  }

  @SuppressWarnings("unchecked")
  public static <T extends Message> T parse(byte[] data, T prototype) {
    Message.Builder b = prototype.newBuilderForType();
    try {
      PARSER.merge(new String(data, StandardCharsets.UTF_8), b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable " + prototype.getDescriptorForType().getName() + " in ZooKeeper", e);
    }
    return (T) b.build();
  }
}
