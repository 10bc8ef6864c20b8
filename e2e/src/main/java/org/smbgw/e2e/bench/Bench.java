package org.smbgw.e2e.bench;

import java.util.List;

/** Entry point of {@code scripts/bench}: runs the named benchmarks in order. */
public final class Bench {
  private Bench() {}

  public static void main(String[] args) throws Exception {
    org.smbgw.common.Logging.start();
    List<String> names = args.length == 0 ? List.of("agent") : List.of(args);
    for (String name : names) {
      switch (name) {
        case "agent" -> AgentBench.run();
        case "coordinator" -> CoordinatorBench.run();
        case "metrics" -> MetricsBench.run();
        case "failover" -> FailoverBench.run();
        case "package" -> PackageBench.run();
        case "conformance" -> ConformanceBench.run();
        case "acls" -> AclBench.run();
        default -> {
          System.err.println("scripts/bench: unknown benchmark '" + name
              + "' (known: agent, coordinator, metrics, failover, package, conformance, acls)");
          System.exit(2);
        }
      }
    }
  }

  /** Prints one figure line, the format DESIGN.md section 7 fixes. */
  static void figure(String name, double value, String unit) {
    System.out.printf("figure %s %s %s%n", name, value == Math.rint(value) && Math.abs(value) < 1e15
        ? Long.toString((long) value) : String.format("%.3f", value), unit);
  }
}
