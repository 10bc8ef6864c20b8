package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.smbgw.e2e.conformance.Conformance;

/**
 * Every smbtorture subtest a stock Samba share passes on directory storage here (recorded by
 * {@code scripts/bench conformance} in {@code conformance/stock-passes.txt}) passes against the
 * share smbgw's agent makes on the same storage, and smbd does not panic meanwhile. The first
 * generated definitions passed 43 of the stock share's 63: a create mask stripped the bits Samba
 * keeps DOS attributes in.
 */
class WindowsConformanceTest {
  @Test
  void smbgwsSharePassesEverySubtestTheStockSharePasses() throws Exception {
    Set<String> expected = new TreeSet<>(recorded());
    try (Conformance c = new Conformance(false)) {
      Conformance.Result r = c.smbgw();
      Set<String> lost = new TreeSet<>(expected);
      lost.removeAll(r.passed());
      assertEquals(Set.of(), lost, "subtests the stock share passes and smbgw's share does not (failed: "
          + r.failed() + ")");
      assertEquals(0, r.panics(), "smbd panicked during the run");
    }
  }

  private static List<String> recorded() throws Exception {
    try (InputStream in = WindowsConformanceTest.class.getResourceAsStream("/conformance/stock-passes.txt")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
  }
}
