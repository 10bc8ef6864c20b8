package org.smbgw.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.smbgw.common.ExitCodes;

/** The command line's own errors: no coordinator is needed to tell them, and they exit 2. */
class UsageErrorsTest {
  private record Run(int code, String out, String err) {}

  private static Run smbgw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Smbgw.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void anUnknownCommandIsAUsageErrorEvenWithHelp() {
    Run r = smbgw("domain", "--help");
    assertEquals(ExitCodes.USAGE, r.code(), r.out() + r.err());
    assertTrue(r.err().contains("domain"), r.err());
    assertEquals(ExitCodes.USAGE, smbgw("domain").code());
    assertEquals(ExitCodes.USAGE, smbgw("share", "frobnicate").code());
  }

  @Test
  void aGroupWithoutItsCommandIsAUsageError() {
    assertEquals(ExitCodes.USAGE, smbgw().code());
    assertEquals(ExitCodes.USAGE, smbgw("share").code());
  }

  @Test
  void helpAndVersionSucceed() {
    assertEquals(ExitCodes.OK, smbgw("--help").code());
    assertEquals(ExitCodes.OK, smbgw("share", "--help").code());
    assertTrue(smbgw("--version").out().startsWith("smbgw "));
  }

  @Test
  void aCoordinatorThatIsNotHostPortIsRefusedNamingTheOption() {
    Run r = smbgw("--coordinator", "pve1", "status");
    assertEquals(ExitCodes.INVALID, r.code(), r.err());
    assertTrue(r.err().contains("--coordinator"), r.err());
  }
}
