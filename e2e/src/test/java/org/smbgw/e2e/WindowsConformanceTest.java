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
 * share smbgw's agent makes on the same storage, and smbd does not panic meanwhile. On the issue's
 * ten suites the first generated definition passed 45 of the stock share's 63 here: its create
 * mask stripped the bits Samba keeps DOS attributes in.
 */
class WindowsConformanceTest {
  @Test
  void smbgwsSharePassesEverySubtestTheStockSharePasses() throws Exception {
    try (Conformance c = new Conformance(false)) {
      Conformance.Result r = c.smbgw();
      Set<String> lost = new TreeSet<>(recorded());
      lost.removeAll(r.passed());
      // Some subtests hang on time (delayed write times, lock timeouts) and can miss on a loaded
      // machine: each one missed runs again, alone, against both shares, and only one that the
      // stock share passes and smbgw's does not in that same run counts.
      Set<String> worse = new TreeSet<>();
      for (String test : lost) {
        List<String> alone = List.of(test.replace('/', '.'));
        boolean stock = !c.run("stock", c.directory(), alone).passed().isEmpty();
        boolean smbgw = !c.run("gw", c.directory(), alone).passed().isEmpty();
        if (stock && !smbgw) {
          worse.add(test);
        }
      }
      assertEquals(Set.of(), worse, "subtests the stock share passes and smbgw's share does not (missed in the"
          + " full run: " + lost + "; failed there: " + r.failed() + ")");
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
