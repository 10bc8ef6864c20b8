package org.smbgw.common;

import java.nio.file.Path;

/**
 * Where JNA unpacks its native library. By default it goes to the home directory of the user the
 * daemon runs as ({@code /root/.cache/JNA} for the agent), which is none of the paths the units
 * say the daemons write; under the daemon's own state directory it is. An explicit
 * {@code -Djna.tmpdir=} in the JVM options wins.
 */
public final class Jna {
  static final String PROPERTY = "jna.tmpdir";

  private Jna() {}

  /** Call before anything loads JNA. */
  public static void unpackUnder(Path stateDir) {
    if (System.getProperty(PROPERTY) == null) {
      System.setProperty(PROPERTY, stateDir.resolve("native").toString());
    }
  }
}
