package org.smbgw.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShareIoTest {
  private static void io(Path proc, long pid, long read, long written) throws Exception {
    Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(proc.resolve(pid + "/io"), "rchar: 9\nwchar: 9\nsyscr: 1\nsyscw: 1\nread_bytes: " + read
        + "\nwrite_bytes: " + written + "\ncancelled_write_bytes: 0\n");
  }

  @Test
  void growthGoesToTheShareAndSurvivesTheProcess(@TempDir Path proc) throws Exception {
    ShareIo io = new ShareIo(proc);
    io(proc, 100, 10, 1000);
    io.sample(Map.of(100L, Set.of("a")));
    assertArrayEquals(new long[] {10, 1000}, io.totals("a"), "a new process counts from zero");
    io(proc, 100, 10, 1500);
    io.sample(Map.of(100L, Set.of("a")));
    assertArrayEquals(new long[] {10, 1500}, io.totals("a"));
    Files.delete(proc.resolve("100/io"));
    io(proc, 101, 0, 301);
    io.sample(Map.of(100L, Set.of("a"), 101L, Set.of("a", "b")));
    assertArrayEquals(new long[] {10, 1500 + 151}, io.totals("a"), "exited process keeps its bytes; split evenly");
    assertArrayEquals(new long[] {0, 150}, io.totals("b"));
    assertArrayEquals(new long[] {0, 0}, io.totals("c"));
  }
}
