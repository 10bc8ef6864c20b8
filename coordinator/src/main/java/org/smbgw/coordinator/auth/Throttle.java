package org.smbgw.coordinator.auth;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Failed authentication, counted per source: each failure is answered after a growing delay
 * (100 ms, doubling, at most 3.2 s), and the tenth in a row locks the source out for a minute:
 * every wrong token from it is then refused after the longest delay without being looked at (a
 * valid token still passes, see {@link TokenAuth}). Ten quiet minutes forget a source's failures.
 * At most 10,000 sources are remembered, the least recently seen going first, so a flood of
 * addresses cannot grow it without bound (and can push a locked source out: with 256-bit secrets
 * the delays only make guessing slower still, they are not what makes it hopeless). Time is
 * passed in (ticker nanos).
 */
final class Throttle {
  static final int LOCK_AFTER = 10;
  static final long FIRST_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  static final long MAX_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(3200);
  static final long LOCKOUT_NANOS = TimeUnit.SECONDS.toNanos(60);
  static final long FORGET_NANOS = TimeUnit.MINUTES.toNanos(10);
  static final int MAX_SOURCES = 10_000;

  private record Failures(int count, long lastNanos, long lockedUntilNanos) {}

  private final Map<String, Failures> sources = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Failures> eldest) {
      return size() > MAX_SOURCES;
    }
  };

  /** How much longer {@code source} is locked out at {@code now}; 0 when it is not. */
  synchronized long lockedFor(String source, long now) {
    Failures f = current(source, now);
    return f == null || f.lockedUntilNanos - now <= 0 ? 0 : f.lockedUntilNanos - now;
  }

  /** Counts a failure of {@code source}; returns how long to wait before answering it. */
  synchronized long failed(String source, long now) {
    Failures f = current(source, now);
    int count = f == null ? 1 : f.count + 1;
    long locked = count >= LOCK_AFTER ? now + LOCKOUT_NANOS : f == null ? now : f.lockedUntilNanos;
    sources.put(source, new Failures(count >= LOCK_AFTER ? 0 : count, now, locked));
    return Math.min(MAX_DELAY_NANOS, FIRST_DELAY_NANOS << Math.min(count - 1, 10));
  }

  private Failures current(String source, long now) {
    Failures f = sources.get(source);
    if (f != null && now - f.lastNanos > FORGET_NANOS && f.lockedUntilNanos - now <= 0) {
      sources.remove(source);
      return null;
    }
    return f;
  }
}
