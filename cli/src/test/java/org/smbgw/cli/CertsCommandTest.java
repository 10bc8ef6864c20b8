package org.smbgw.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.tls.PeerNames;
import org.smbgw.common.tls.Pem;
import org.smbgw.common.tls.TlsConfig;
import org.smbgw.common.tls.TlsFiles;

/** {@code smbgw certs} as an administrator runs it: files, modes, names, and bad input. */
class CertsCommandTest {
  private record Run(int code, String out, String err) {}

  private static Run smbgw(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Smbgw.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
    return new Run(code, out.toString(), err.toString());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void initIssueAndRenewMakeFilesADaemonLoads(@TempDir Path tmp) throws Exception {
    Path pki = tmp.resolve("pki");
    Run init = smbgw("certs", "init", "--dir", pki.toString(), "--cluster", "lab");
    assertEquals(ExitCodes.OK, init.code(), init.err());
    assertEquals("rwx------", mode(pki));
    assertEquals("rw-------", mode(pki.resolve("ca.key")));

    Run issue = smbgw("certs", "issue", "pve1", "--dir", pki.toString(), "--address", "10.0.0.1,pve1.lan");
    assertEquals(ExitCodes.OK, issue.code(), issue.err());
    assertTrue(issue.out().contains("[pve1, 10.0.0.1, pve1.lan, localhost, 127.0.0.1"), issue.out());
    assertEquals("rw-------", mode(pki.resolve("node.key")));
    TlsFiles files = TlsFiles.node(TlsConfig.pki(pki));
    assertTrue(PeerNames.of(files.certificate()).namesNode("pve1"));

    Run again = smbgw("certs", "issue", "pve3", "--dir", pki.toString());
    assertEquals(ExitCodes.USAGE, again.code(), "issued over pve1's files");
    assertTrue(again.err().contains("exists already") && again.err().contains("--out"), again.err());
    assertTrue(PeerNames.of(Pem.certificates(pki.resolve("node.pem")).get(0)).namesNode("pve1"), "pve1's files are as they were");

    Path pve2 = tmp.resolve("pve2");
    assertEquals(ExitCodes.OK, smbgw("certs", "issue", "pve2", "--dir", pki.toString(), "--out", pve2.toString()).code());
    assertFalse(Files.exists(pve2.resolve("ca.key")), "another node's bundle carries no CA key");
    TlsFiles.node(TlsConfig.pki(pve2));

    var before = Pem.certificates(pki.resolve("node.pem")).get(0);
    Run renew = smbgw("certs", "renew", "--dir", pki.toString());
    assertEquals(ExitCodes.OK, renew.code(), renew.err());
    assertTrue(files.reload(), "a running daemon takes the renewed pair");
    assertEquals(PeerNames.of(before), PeerNames.of(files.certificate()));
  }

  @Test
  void aSecondInitIsRefusedAndBadValuesNameTheirField(@TempDir Path tmp) throws Exception {
    Path pki = tmp.resolve("pki");
    assertEquals(ExitCodes.OK, smbgw("certs", "init", "--dir", pki.toString()).code());
    String ca = Files.readString(pki.resolve("ca.pem"));
    Run again = smbgw("certs", "init", "--dir", pki.toString());
    assertEquals(ExitCodes.USAGE, again.code());
    assertTrue(again.err().contains("a CA exists already"), again.err());
    assertEquals(ca, Files.readString(pki.resolve("ca.pem")));

    Run bad = smbgw("certs", "issue", "pve_1", "--dir", pki.toString(), "--address", "10.0.0.1 ");
    assertEquals(ExitCodes.INVALID, bad.code());
    assertTrue(bad.err().contains("node") && bad.err().contains("address"), bad.err());
    assertFalse(Files.exists(pki.resolve("node.pem")), "nothing issued");
    Run days = smbgw("certs", "issue", "pve1", "--dir", pki.toString(), "--days", "0");
    assertEquals(ExitCodes.INVALID, days.code());
    assertTrue(days.err().contains("--days"), days.err());
  }

  @Test
  void withoutTheCaTheCliSaysWhichFileAndHowToNameAnother(@TempDir Path tmp) {
    Run r = smbgw("--ca", tmp.resolve("nope.pem").toString(), "status");
    assertEquals(ExitCodes.USAGE, r.code());
    assertTrue(r.err().contains("nope.pem: no such file") && r.err().contains("--ca"), r.err());
  }
}
