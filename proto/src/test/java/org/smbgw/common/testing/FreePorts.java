package org.smbgw.common.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * Loopback ports no listener holds at the moment they are picked. Ports picked one at a time (bind to
 * port 0, close, bind again) can come back twice: Curator's {@code TestingCluster} picks its nine
 * ports so, and a server given the same port for clients and elections refuses to start (it failed a
 * CI run that way). {@link #distinct} holds every socket until all are picked.
 */
public final class FreePorts {
  private FreePorts() {}

  /** One free port. */
  public static int one() {
    return distinct(1)[0];
  }

  /** {@code n} free ports, all different. */
  public static int[] distinct(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0);
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException ignored) {
          // closing a listener that never accepted: nothing to lose
        }
      }
    }
  }
}
