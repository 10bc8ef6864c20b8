package org.smbgw.e2e.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code scripts/bench package}: the size of each .deb the build made (goal: at most 40 MB each),
 * as {@code figure package.size.<name> <MB> MB}.
 */
final class PackageBench {
  private PackageBench() {}

  static void run() throws Exception {
    Path debs = Path.of("packaging", "target");
    for (String name : List.of("smbgw-agent", "smbgw-coordinator", "smbgw")) {
      Path deb = debs.resolve(name + "_all.deb");
      if (!Files.exists(deb)) {
        System.out.println("# package." + name + " not measured: " + deb + " was not built");
        continue;
      }
      Bench.figure("package.size." + name, Files.size(deb) / 1e6, "MB");
    }
  }
}
