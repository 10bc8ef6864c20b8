package org.smbgw.agent.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Per-share storage I/O, from /proc/<pid>/io of the smbd processes that hold tree connects to
 * the share. A process's growth since it was last seen goes to its share (split evenly when it
 * serves several); a process seen for the first time counts from zero, so I/O done before the
 * first look is not lost. Totals only go up and keep what exited processes did. Reconcile
 * thread only.
 */
public final class ShareIo {
  private final Path proc;
  private final Map<Long, long[]> last = new HashMap<>();
  private final Map<String, long[]> totals = new HashMap<>();

  public ShareIo(Path proc) {
    this.proc = proc;
  }

  /** Takes one sample; {@code sharesByPid} is what smbstatus says each process serves. */
  public void sample(Map<Long, Set<String>> sharesByPid) {
    Map<Long, long[]> seen = new HashMap<>();
    sharesByPid.forEach((pid, shares) -> {
      long[] now = read(pid);
      if (now == null || shares.isEmpty()) {
        return;
      }
      long[] before = last.getOrDefault(pid, new long[2]);
      List<String> sorted = shares.stream().sorted().toList();
      for (int k = 0; k < 2; k++) {
        long delta = Math.max(0, now[k] - before[k]);
        long each = delta / sorted.size();
        for (int i = 0; i < sorted.size(); i++) {
          long share = each + (i == 0 ? delta % sorted.size() : 0);
          totals.computeIfAbsent(sorted.get(i), x -> new long[2])[k] += share;
        }
      }
      seen.put(pid, now);
    });
    last.clear();
    last.putAll(seen); // processes gone since: their I/O stays in the totals
  }

  /** {read bytes, written bytes} of a share so far. */
  public long[] totals(String share) {
    return totals.getOrDefault(share, new long[2]).clone();
  }

  private long[] read(long pid) {
    try {
      long[] v = new long[2];
      for (String line : Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("io"))) {
        if (line.startsWith("read_bytes: ")) {
          v[0] = Long.parseLong(line.substring(12).strip());
        } else if (line.startsWith("write_bytes: ")) {
          v[1] = Long.parseLong(line.substring(13).strip());
        }
      }
      return v;
    } catch (NoSuchFileException e) {
      return null; // exited between smbstatus and now
    } catch (IOException | NumberFormatException e) {
      return null;
    }
  }
}
