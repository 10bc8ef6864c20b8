package org.smbgw.e2e.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.smbgw.e2e.lab.FaultRun;
import org.smbgw.e2e.lab.Lab;
import org.smbgw.e2e.lab.LabSetup;

/**
 * {@code scripts/bench failover}: every fault kind, {@code SMBGW_FAILOVER_RUNS} times (default
 * 20), on the namespaced lab with default settings. Prints p50, p99 and max of the time from the
 * fault to the first working new connection and to the established session working again, and
 * the samples (every 20 ms) that saw the address on two nodes. Then ({@code false_under_load})
 * the holder under CPU and memory load for {@code SMBGW_LOAD_SECONDS} (default 600).
 */
final class FailoverBench {
  private FailoverBench() {}

  static void run() throws Exception {
    int runs = Integer.parseInt(System.getenv().getOrDefault("SMBGW_FAILOVER_RUNS", "20"));
    String only = System.getenv().getOrDefault("SMBGW_FAILOVER_FAULTS", "");
    try (LabSetup setup = LabSetup.start(Lab.Settings.defaults(LabSetup.USER))) {
      FaultRun faults = setup.faults();
      for (FaultRun.Fault fault : FaultRun.Fault.values()) {
        if (!only.isEmpty() && !Arrays.asList(only.split(",")).contains(fault.label())) {
          continue;
        }
        List<Double> conn = new ArrayList<>();
        List<Double> session = new ArrayList<>();
        long doubled = 0;
        long samples = 0;
        int unrecovered = 0;
        for (int i = 0; i < runs; i++) {
          FaultRun.Result r = faults.run(fault);
          System.out.printf("# %s run %d: %s -> %s, new connection %.3f s, session %.3f s, double-held %d of %d%s%n",
              fault.label(), i + 1, r.from(), r.to(), r.newConnection(), r.session(), r.doubled(), r.samples(),
              r.doubledAt().isEmpty() ? "" : " " + r.doubledAt());
          System.out.printf("#   after repair: held by %s, %d failed client request(s); session errors %s%n",
              r.heldAfterRepair(), r.failuresAfterRepair(), r.sessionErrors());
          System.out.printf("#   address held by %s; new connections %s%n", r.holders(), r.newConnections());
          if (Double.isNaN(r.newConnection()) || Double.isNaN(r.session())) {
            unrecovered++;
          } else {
            conn.add(r.newConnection());
            session.add(r.session());
          }
          doubled += r.doubled();
          samples += r.samples();
        }
        String p = "failover." + fault.label();
        print(p + ".new_conn", conn);
        print(p + ".session", session);
        Bench.figure(p + ".double_held", doubled, "count");
        Bench.figure(p + ".samples", samples, "count");
        Bench.figure(p + ".unrecovered", unrecovered, "count");
      }
      if (only.isEmpty() || Arrays.asList(only.split(",")).contains("false_under_load")) {
        falseUnderLoad(setup, Integer.parseInt(System.getenv().getOrDefault("SMBGW_LOAD_SECONDS", "600")));
      }
    }
  }

  /**
   * The node holding the address runs with both cores saturated by CPU and memory load
   * ({@code stress-ng --cpu 2 --vm 1}; no disk load, which would stall ZooKeeper itself) for
   * {@code seconds}. Every 20 ms the address must be on that node and nowhere else; each stretch
   * in which it was not counts as one false failover.
   */
  private static void falseUnderLoad(LabSetup setup, int seconds) throws Exception {
    Lab lab = setup.lab();
    String holder = setup.cluster().awaitServing(LabSetup.ADDRESS, 60);
    List<String> argv = Lab.in(Lab.namespace(holder), List.of("stress-ng", "--cpu", "2", "--vm", "1",
        "--vm-bytes", "256M", "--timeout", seconds + "s", "--quiet"));
    Process stress;
    try {
      stress = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (java.io.IOException e) {
      System.out.println("# false_under_load not measured: cannot run stress-ng (" + e.getMessage() + ")");
      return;
    }
    long outages = 0;
    long samples = 0;
    double longest = 0;
    long gapStart = -1;
    long end = System.nanoTime() + seconds * 1_000_000_000L;
    try {
      while (System.nanoTime() < end && stress.isAlive()) {
        boolean ok = lab.holdersOf(LabSetup.ADDRESS).equals(List.of(holder));
        long now = System.nanoTime();
        samples++;
        if (!ok && gapStart < 0) {
          gapStart = now;
          outages++;
          System.out.printf("# false_under_load: address off %s at %.1f s%n", holder, seconds - (end - now) / 1e9);
        } else if (ok && gapStart >= 0) {
          longest = Math.max(longest, (now - gapStart) / 1e9);
          gapStart = -1;
        }
        Thread.sleep(20);
      }
      if (gapStart >= 0) {
        longest = Math.max(longest, (System.nanoTime() - gapStart) / 1e9);
      }
      boolean ranToEnd = System.nanoTime() >= end - 2_000_000_000L;
      if (!ranToEnd) {
        System.out.println("# false_under_load not measured: stress-ng ended early (exit " + stress.exitValue() + ")");
        return;
      }
    } finally {
      stress.destroy();
      stress.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
    Bench.figure("failover.false_under_load", outages, "count");
    Bench.figure("failover.false_under_load.longest_gap", longest, "s");
    Bench.figure("failover.false_under_load.samples", samples, "count");
  }

  private static void print(String name, List<Double> values) {
    if (values.isEmpty()) {
      return;
    }
    List<Double> sorted = values.stream().sorted().toList();
    Bench.figure(name + ".p50", percentile(sorted, 50), "s");
    Bench.figure(name + ".p99", percentile(sorted, 99), "s");
    Bench.figure(name + ".max", sorted.get(sorted.size() - 1), "s");
  }

  /** Nearest-rank percentile. */
  static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size());
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
  }
}
