package org.smbgw.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Renders results as a table, JSON (protobuf's JSON mapping) or YAML. */
final class Output {
  enum Format { table, json, yaml }

  private Output() {}

  /**
   * Jackson, made on first use only: only -o yaml needs it, and loading it made every table
   * answer start slower (issue 16).
   */
  private static final class Mappers {
    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER).enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
  }

  static String json(MessageOrBuilder m) {
    try {
      return JsonFormat.printer().alwaysPrintFieldsWithNoPresence().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One line: for streams of objects such as events. */
  static String compactJson(MessageOrBuilder m) {
    try {
      return JsonFormat.printer().omittingInsignificantWhitespace().print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }

  static void print(PrintWriter out, Format format, MessageOrBuilder m, List<String> header, List<List<String>> rows) {
    switch (format) {
      case json -> out.println(json(m));
      case yaml -> {
        try {
          JsonNode tree = Mappers.JSON.readTree(json(m));
          out.print(Mappers.YAML.writeValueAsString(tree));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      case table -> table(out, header, rows);
    }
    out.flush();
  }

  static void table(PrintWriter out, List<String> header, List<List<String>> rows) {
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(rows);
    int[] width = new int[header.size()];
    for (List<String> r : all) {
      for (int i = 0; i < r.size(); i++) {
        width[i] = Math.max(width[i], r.get(i).length());
      }
    }
    for (List<String> r : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < r.size(); i++) {
        b.append(i == r.size() - 1 ? r.get(i) : String.format("%-" + (width[i] + 2) + "s", r.get(i)));
      }
      out.println(b.toString().stripTrailing());
    }
  }
}
