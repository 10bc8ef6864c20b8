package org.smbgw.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.smbgw.e2e.conformance.Conformance;

/**
 * {@code scripts/bench conformance}: smbtorture's suites ({@link Conformance#SUITES}) against a
 * share smbgw created and a stock share, side by side on the same directory storage, then the
 * same on ZFS (zfs-fuse here). Goal: on directory storage smbgw passes every subtest the stock
 * share passes, and nothing panics. Then {@code smb2.durable-open} on directory storage, shown
 * apart: Samba 4.17 itself panics in two of its subtests, on a stock share too. With
 * {@code SMBGW_CONFORMANCE_RECORD=FILE} it writes the subtests the stock share passed on directory
 * storage to FILE: the list {@code WindowsConformanceTest} holds smbgw's share to.
 */
final class ConformanceBench {
  private ConformanceBench() {}

  static void run() throws Exception {
    try (Conformance c = new Conformance(true)) {
      Conformance.Result stock = c.stock();
      Conformance.Result smbgw = c.smbgw();
      report("conformance", stock, smbgw);
      String record = System.getenv("SMBGW_CONFORMANCE_RECORD");
      if (record != null && !record.isEmpty()) {
        Files.writeString(Path.of(record), "# smbtorture subtests a stock share passes on"
            + " directory storage (scripts/bench conformance with SMBGW_CONFORMANCE_RECORD); WindowsConformanceTest"
            + " holds smbgw's share to them\n" + String.join("\n", stock.passed()) + "\n");
      }
      Conformance.Result stockZfs = c.stockZfs();
      Conformance.Result smbgwZfs = c.smbgwZfs();
      report("conformance.zfs", stockZfs, smbgwZfs);

      List<String> durable = List.of("smb2.durable-open");
      Conformance.Result ds = c.run("stock", c.directory(), durable);
      Conformance.Result dg = c.run("gw", c.directory(), durable);
      System.out.println("# smb2.durable-open apart: Samba 4.17 panics in lock-oplock and lock-lease on any share");
      Bench.figure("conformance.durable_open.stock.passed", ds.passed().size(), "count");
      Bench.figure("conformance.durable_open.stock.panics", ds.panics(), "count");
      Bench.figure("conformance.durable_open.smbgw.passed", dg.passed().size(), "count");
      Bench.figure("conformance.durable_open.smbgw.panics", dg.panics(), "count");
    }
  }

  private static void report(String prefix, Conformance.Result stock, Conformance.Result smbgw) {
    Set<String> lost = new TreeSet<>(stock.passed());
    lost.removeAll(smbgw.passed());
    Set<String> gained = new TreeSet<>(smbgw.passed());
    gained.removeAll(stock.passed());
    System.out.println("# " + prefix + ": stock passes and smbgw does not: " + lost);
    System.out.println("# " + prefix + ": smbgw passes and stock does not: " + gained);
    Bench.figure(prefix + ".smbgw.passed", smbgw.passed().size(), "count");
    Bench.figure(prefix + ".stock.passed", stock.passed().size(), "count");
    Bench.figure(prefix + ".smbgw.failed", smbgw.failed().size(), "count");
    Bench.figure(prefix + ".stock.failed", stock.failed().size(), "count");
    Bench.figure(prefix + ".smbgw.panics", smbgw.panics(), "count");
    Bench.figure(prefix + ".stock.panics", stock.panics(), "count");
    Bench.figure(prefix + ".lost", lost.size(), "count");
  }
}
