package org.smbgw.agent.net;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandFailedException;
import org.smbgw.agent.exec.CommandRunner;
import org.smbgw.agent.net.AddressPlan.Holding;
import org.smbgw.common.Addresses;
import org.smbgw.common.AtomicFile;
import org.smbgw.common.Violation;

/**
 * The floating addresses the agent holds, written to a file whenever that changes, so that
 * {@code smbgw-agent release-addresses} (the unit's {@code ExecStopPost=}) can take them down
 * however the agent stopped. One line per address: {@code CIDR DEVICE}.
 */
public final class HeldAddresses {
  private final Path file;

  public HeldAddresses(Path file) {
    this.file = file;
  }

  /** Replaces the file's content (atomically: a crash leaves the old or the new list). */
  public void write(Collection<Holding> held) throws IOException {
    StringBuilder b = new StringBuilder();
    held.forEach(h -> b.append(h.cidr()).append(' ').append(h.device()).append('\n'));
    AtomicFile.replace(file, b.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Removes every address the file names (one {@code ip addr del} each, as argument lists; a line
   * that is not a valid address and interface is skipped and reported). The file then keeps only
   * the addresses that could not be removed, for the next try.
   *
   * @return what could not be removed or was skipped, for the log; empty when all went
   */
  public List<String> release(CommandRunner runner) throws IOException {
    List<String> problems = new ArrayList<>();
    List<String> left = new ArrayList<>();
    if (!Files.exists(file)) {
      return problems;
    }
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] f = line.strip().split(" ");
      if (line.isBlank()) {
        continue;
      }
      List<Violation> bad = new ArrayList<>();
      if (f.length != 2) {
        bad.add(new Violation("line", "must be 'CIDR DEVICE'"));
      } else {
        Addresses.cidr("address", f[0], bad);
        Addresses.interfaceName("device", f[1], bad);
      }
      if (!bad.isEmpty()) {
        problems.add("skipped " + file + " line '" + line + "': " + bad);
        continue;
      }
      try {
        var r = runner.runAllowingFailure(Command.of("ip", "addr", "del", f[0], "dev", f[1]).timeout(Duration.ofSeconds(5)));
        if (!r.succeeded() && !r.stderr().contains("Cannot assign requested address")) {
          problems.add(f[0] + " on " + f[1] + ": " + r.stderr().strip());
          left.add(line);
        }
      } catch (CommandFailedException e) {
        problems.add(f[0] + " on " + f[1] + ": " + e.getMessage());
        left.add(line);
      }
    }
    if (left.isEmpty()) {
      Files.delete(file);
    } else {
      Files.write(file, left, StandardCharsets.UTF_8);
    }
    return problems;
  }
}
