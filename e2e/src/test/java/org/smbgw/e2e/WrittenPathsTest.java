package org.smbgw.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading an {@code strace -f -y} log in the format strace 6 prints it on this machine. */
class WrittenPathsTest {
  @Test
  void aCallAnotherThreadSplitInTwoStillCounts(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("trace");
    Files.writeString(log, String.join("\n",
        "4964  rename(\"/s/.status.json.tmp\", \"/s/status.json\" <unfinished ...>",
        "4965  futex(0x7f747c041de8, FUTEX_WAKE_PRIVATE, 1 <unfinished ...>",
        "4965  <... futex resumed>)              = 0",
        "4964  <... rename resumed>)             = 0",
        "4966  openat(AT_FDCWD</>, \"/s/a\", O_WRONLY|O_CREAT|O_TRUNC, 0600 <unfinished ...>",
        "4966  <... openat resumed>)             = -1 EACCES (Permission denied)",
        "4967  mkdir(\"/s/d\", 0755)               = 0", ""));
    assertEquals(List.of("/s/.status.json.tmp", "/s/d", "/s/status.json"), List.copyOf(WrittenPaths.fromStrace(log)));
  }
}
