package org.smbgw.e2e.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/** What a client sees during a fault, measured from the client namespace. */
public final class Probes {
  private Probes() {}

  /**
   * One client request: when it started and ended (System.nanoTime), whether it worked, and if not
   * what it said.
   */
  public record Attempt(long startNanos, long endNanos, boolean ok, String error) {
    /** A request that worked. */
    static Attempt worked(long startNanos, long endNanos) {
      return new Attempt(startNanos, endNanos, true, null);
    }
  }

  /**
   * A new SMB connection every {@code every}, each reading one file back and checking its content,
   * several in flight at once (a hanging one does not delay the next). The connections are smbj's,
   * made in this JVM (see {@link SmbjClient}); one that takes longer than {@code timeout} failed.
   */
  public static final class NewConnections implements AutoCloseable {
    private final SmbjClient client;
    private final String address;
    private final String share;
    private final String file;
    private final String expected;
    private final List<Attempt> attempts = new ArrayList<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private final ExecutorService workers = Executors.newCachedThreadPool();
    private final Semaphore inFlight = new Semaphore(16);

    private final Duration timeout;

    /**
     * @param every how often a new connection starts
     * @param timeout how long one may take before it counts as failed
     */
    public NewConnections(LabCluster cluster, String address, String share, String file, String expected, Duration every,
        Duration timeout) throws IOException {
      this.timeout = timeout;
      this.client = cluster.smbj(timeout);
      this.address = address;
      this.share = share;
      this.file = file;
      this.expected = expected;
      timer.scheduleAtFixedRate(this::launch, 0, every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void launch() {
      if (!inFlight.tryAcquire()) {
        return;
      }
      workers.execute(() -> {
        long start = System.nanoTime();
        boolean ok = false;
        String error = null;
        try {
          String content = client.read(address, share, file);
          ok = content.contains(expected);
          error = ok ? null : "read " + content.length() + " characters, not what was written";
        } catch (Exception e) {
          ok = false;
          error = e.toString();
        } finally {
          inFlight.release();
        }
        long end = System.nanoTime();
        if (ok && end - start > timeout.toNanos()) {
          ok = false;
          error = "took " + (end - start) / 1_000_000 + " ms, longer than " + timeout.toMillis() + " ms";
        }
        synchronized (attempts) {
          attempts.add(new Attempt(start, end, ok, error));
        }
      });
    }

    public List<Attempt> attempts() {
      synchronized (attempts) {
        return new ArrayList<>(attempts);
      }
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdownNow();
      workers.shutdown();
      workers.awaitTermination(5, TimeUnit.SECONDS);
      client.close();
    }
  }

  /**
   * A client that keeps one SMB session and lists the share every 100 ms over it, the way a
   * mapped drive is used; when the session breaks (smbclient reports an error or exits) it
   * reconnects at once, as SMB clients do. Records each listing's completion.
   */
  public static final class Session implements AutoCloseable {
    private final List<String> command;
    private final List<Attempt> attempts = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Thread thread;
    private volatile Process process;
    private final List<String> errors = new ArrayList<>();

    /** The statuses smbclient reported when its session broke. */
    public List<String> errors() {
      synchronized (attempts) {
        return new ArrayList<>(errors);
      }
    }

    public Session(LabCluster cluster, String address, String share) {
      this.command = Lab.in(Lab.CLIENT, List.of("stdbuf", "-oL", "smbclient", "//" + address + "/" + share,
          "-A", cluster.authFile().toString(), "-m", "SMB3"));
      this.thread = new Thread(this::run, "session-probe");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      while (!closed.get()) {
        try {
          Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
          process = p;
          Thread writer = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
              while (p.isAlive() && !closed.get()) {
                in.write("ls\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
                Thread.sleep(100);
              }
            } catch (Exception e) {
              // the process went away
            }
          });
          writer.setDaemon(true);
          writer.start();
          long since = System.nanoTime();
          try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
              long now = System.nanoTime();
              if (line.contains("blocks available")) {
                record(Attempt.worked(since, now));
                since = now;
              } else if (line.contains("NT_STATUS_")) {
                record(new Attempt(since, now, false, line.strip()));
                synchronized (attempts) {
                  if (errors.size() < 20) {
                    errors.add(line.strip());
                  }
                }
                break; // the session is broken: reconnect
              }
            }
          }
          p.destroyForcibly();
          if (!closed.get()) {
            record(new Attempt(System.nanoTime(), System.nanoTime(), false, "smbclient exited (" + p.waitFor() + ")"));
            Thread.sleep(50);
          }
        } catch (Exception e) {
          if (!closed.get()) {
            record(new Attempt(System.nanoTime(), System.nanoTime(), false, e.toString()));
          }
        }
      }
    }

    private void record(Attempt a) {
      synchronized (attempts) {
        attempts.add(a);
      }
    }

    public List<Attempt> attempts() {
      synchronized (attempts) {
        return new ArrayList<>(attempts);
      }
    }

    @Override
    public void close() throws InterruptedException {
      closed.set(true);
      Process p = process;
      if (p != null) {
        p.destroyForcibly();
      }
      thread.join(5000);
    }
  }

  /** Looks at every node's addresses every 20 ms and counts the looks that find one address on two nodes. */
  public static final class DoubleHold implements AutoCloseable {
    private final Lab lab;
    private final String address;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    private long samples;
    private long doubled;
    /** The first looks that found the address twice: when each ended, and the nodes it saw. */
    private record Doubled(long atNanos, List<String> holders) {}

    private final List<Doubled> seen = new ArrayList<>();
    /** Every look whose holders differ from the look before: when it ended, and whom it saw. */
    private final List<Doubled> changes = new ArrayList<>();
    private List<String> last;

    public DoubleHold(Lab lab, String address) {
      this.lab = lab;
      this.address = address;
      timer.scheduleAtFixedRate(this::sample, 0, 20, TimeUnit.MILLISECONDS);
    }

    private synchronized void sample() {
      List<String> holders = lab.holdersOf(address);
      if (!holders.equals(last) && changes.size() < 10_000) { // a bound, should the address flap
        changes.add(new Doubled(System.nanoTime(), holders));
      }
      last = holders;
      samples++;
      if (holders.size() > 1) {
        doubled++;
        if (seen.size() < 10) {
          seen.add(new Doubled(System.nanoTime(), holders));
        }
      }
    }

    public synchronized long samples() {
      return samples;
    }

    public synchronized long doubled() {
      return doubled;
    }

    /**
     * When the first looks that found the address twice ended, in seconds after the fault, and
     * whether that was after the repair began: a stop's aftermath and a late removal look alike
     * otherwise.
     */
    public synchronized List<String> doubledAt(long faultNanos, long repairNanos) {
      List<String> out = new ArrayList<>();
      for (Doubled d : seen) {
        out.add(String.format("+%.3f s%s: %s", (d.atNanos() - faultNanos) / 1e9, d.atNanos() >= repairNanos
            ? String.format(" (repair began at +%.3f s)", (repairNanos - faultNanos) / 1e9) : "", d.holders()));
      }
      return out;
    }

    /** Where the address was, from the look before the fault on: each change, in seconds after it. */
    public synchronized List<String> holders(long faultNanos) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < changes.size(); i++) {
        Doubled d = changes.get(i);
        boolean next = i + 1 < changes.size() && changes.get(i + 1).atNanos() < faultNanos;
        if (!next) {
          out.add(String.format("%+.3f s %s", (d.atNanos() - faultNanos) / 1e9, d.holders()));
        }
      }
      return out;
    }

    @Override
    public void close() throws InterruptedException {
      timer.shutdownNow();
      timer.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  /**
   * The attempts under way from {@code fault} until {@code seconds} after it, in the order they
   * started: when each started and ended, in seconds after the fault, and whether it worked.
   */
  public static List<String> during(List<Attempt> attempts, long fault, double seconds) {
    long until = fault + (long) (seconds * 1e9);
    return attempts.stream().filter(a -> a.endNanos() >= fault && a.startNanos() <= until)
        .sorted(java.util.Comparator.comparingLong(Attempt::startNanos))
        .map(a -> String.format("%+.3f..%+.3f %s", (a.startNanos() - fault) / 1e9, (a.endNanos() - fault) / 1e9,
            a.ok() ? "ok" : "failed")).toList();
  }

  /** Failed attempts that started after {@code after}. */
  public static long failuresAfter(List<Attempt> attempts, long after) {
    return attempts.stream().filter(a -> !a.ok() && a.startNanos() > after).count();
  }

  /** Failed requests that were under way at some time in [{@code from}, {@code to}). */
  public static long failuresBetween(List<Attempt> attempts, long from, long to) {
    return attempts.stream().filter(a -> !a.ok() && a.endNanos() > from && a.startNanos() < to).count();
  }

  /** What the requests that failed after {@code after} said, each distinct text with its count. */
  public static Map<String, Long> errorsAfter(List<Attempt> attempts, long after) {
    Map<String, Long> out = new TreeMap<>();
    attempts.stream().filter(a -> !a.ok() && a.startNanos() > after).forEach(a -> out.merge(a.error(), 1L, Long::sum));
    return out;
  }

  /**
   * Seconds from {@code fault} to the end of the longest stretch without a successful attempt
   * (a failure, a hang, or nothing answering), looking at successes that ended after the fault;
   * 0 when no stretch exceeded {@code normal} (the client never noticed); NaN when nothing
   * succeeded after the fault. An outage still going on is not seen here: see {@link #outNow}.
   */
  public static double recovery(List<Attempt> attempts, long fault, Duration normal) {
    List<Long> ok = attempts.stream().filter(a -> a.ok() && a.endNanos() >= fault).map(Attempt::endNanos).sorted().toList();
    if (ok.isEmpty()) {
      return Double.NaN;
    }
    long prev = fault;
    long worstGap = 0;
    long worstEnd = fault;
    for (long t : ok) {
      if (t - prev > worstGap) {
        worstGap = t - prev;
        worstEnd = t;
      }
      prev = t;
    }
    return worstGap <= normal.toNanos() ? 0 : (worstEnd - fault) / 1e9;
  }

  /**
   * Whether nothing has succeeded for longer than {@code normal} up to {@code now}: an outage
   * going on, which requests that finished just after the fault must not hide.
   */
  public static boolean outNow(List<Attempt> attempts, Duration normal, long now) {
    long last = attempts.stream().filter(Attempt::ok).mapToLong(Attempt::endNanos).max().orElse(Long.MIN_VALUE);
    return last == Long.MIN_VALUE || now - last > normal.toNanos();
  }
}
