package org.smbgw.agent;

/**
 * A piece of the running agent. {@link Agent} starts its parts in order and closes them in
 * reverse, so a part may rely on every part before it running, and is gone before they stop.
 * A part that made a thread or an executor closes it.
 */
interface Part extends AutoCloseable {
  /** What the part is, for logs and errors ("coordinator session"). */
  String name();

  /**
   * Brings the part up.
   *
   * @param background whether timers and loops run ({@code run}); false for {@code run --once},
   *     tests and benchmarks, where passes happen only when asked for
   */
  void start(boolean background) throws Exception;

  /** Stops the part and closes what it made; never throws, and is safe for a part never started. */
  @Override
  void close();

  /** What {@link #of} runs to start a part. */
  interface Start {
    void start(boolean background) throws Exception;
  }

  static Part of(String name, Start start, Runnable close) {
    return new Part() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public void start(boolean background) throws Exception {
        start.start(background);
      }

      @Override
      public void close() {
        close.run();
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }
}
