package org.smbgw.agent.testing;

import java.time.Duration;

/** Every timeout in tests scales from one setting: -Dsmbgw.test.timeoutScale=N. */
public final class TestTimeouts {
  private static final double SCALE = Double.parseDouble(System.getProperty("smbgw.test.timeoutScale", "1"));

  private TestTimeouts() {}

  public static Duration scaled(Duration d) {
    return Duration.ofMillis((long) (d.toMillis() * SCALE));
  }

  public static Duration seconds(long s) {
    return scaled(Duration.ofSeconds(s));
  }
}
