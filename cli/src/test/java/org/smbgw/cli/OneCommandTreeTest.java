package org.smbgw.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * A line that names one command is parsed by that command's subtree alone (picocli's reflection
 * over every command was most of a start); what it parses must not change, and help must still
 * list every command.
 */
class OneCommandTreeTest {
  private static List<String> commands(String... args) {
    return List.copyOf(Smbgw.commandLine(args).getSubcommands().keySet());
  }

  @Test
  void aLineNamingOneCommandGetsThatCommandAlone() {
    assertEquals(List.of("status"), commands("status"));
    assertEquals(List.of("status"), commands("--coordinator", "pve1:7400", "-o", "json", "--timeout", "5", "status"));
    assertEquals(List.of("share"), commands("--coordinator=pve1:7400", "-ojson", "share", "list", "--help"));
    assertEquals(List.of("status"), commands("--token-file", "token", "status"));
  }

  @Test
  void anOptionsValueSpelledLikeACommandIsTheValue() {
    CommandLine line = Smbgw.commandLine(new String[] {"--token-file", "token", "status"});
    CommandLine.ParseResult parsed = line.parseArgs("--token-file", "token", "status");
    assertEquals(java.nio.file.Path.of("token"), parsed.matchedOptionValue("--token-file", null));
    assertEquals("status", parsed.subcommand().commandSpec().name());
  }

  @Test
  void helpVersionAndLinesNamingNoKnownCommandGetEveryCommand() {
    List<String> all = commands();
    assertEquals(List.of("share", "node", "vip", "user", "apply", "plan", "status", "events", "certs", "token", "audit"), all);
    assertEquals(all, commands("--help", "status"));
    assertEquals(all, commands("-V"));
    assertEquals(all, commands("domain", "list"));
  }

  @Test
  void eachCommandAloneHasTheSameSubcommandsAndOptionsAsInTheWholeTree() {
    CommandLine whole = Smbgw.commandLine(new String[0]);
    for (Map.Entry<String, CommandLine> e : whole.getSubcommands().entrySet()) {
      CommandLine alone = Smbgw.commandLine(new String[] {e.getKey()}).getSubcommands().get(e.getKey());
      assertEquals(shape(e.getValue().getCommandSpec()), shape(alone.getCommandSpec()), e.getKey());
    }
  }

  @Test
  void theTablesThatFindTheCommandWithoutReadingAnnotationsSayWhatTheAnnotationsSay() {
    Map<String, Class<?>> annotated = new TreeMap<>();
    for (Class<?> c : Smbgw.Everything.class.getAnnotation(CommandLine.Command.class).subcommands()) {
      annotated.put(c.getAnnotation(CommandLine.Command.class).name(), c);
    }
    assertEquals(annotated, new TreeMap<>(Smbgw.COMMANDS));
    java.util.Set<String> valued = new java.util.TreeSet<>();
    for (java.lang.reflect.Field f : Smbgw.class.getDeclaredFields()) {
      CommandLine.Option o = f.getAnnotation(CommandLine.Option.class);
      if (o != null && f.getType() != boolean.class) {
        valued.addAll(List.of(o.names()));
      }
    }
    assertEquals(valued, new java.util.TreeSet<>(Smbgw.VALUED_OPTIONS));
  }

  /** Every command's qualified name with its options and their defaults, depth first. */
  private static Map<String, String> shape(CommandSpec spec) {
    Map<String, String> out = new TreeMap<>();
    // Inherited options come in another order when a command is added by hand; help sorts them.
    List<String> options = new java.util.ArrayList<>();
    for (OptionSpec o : spec.options()) {
      options.add(String.join("|", o.names()) + "=" + o.defaultValue() + " " + o.arity());
    }
    java.util.Collections.sort(options);
    out.put(spec.qualifiedName(), options + " " + spec.positionalParameters().size());
    spec.subcommands().values().forEach(sub -> out.putAll(shape(sub.getCommandSpec())));
    return out;
  }
}
