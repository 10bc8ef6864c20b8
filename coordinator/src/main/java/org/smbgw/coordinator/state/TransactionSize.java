package org.smbgw.coordinator.state;

import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.jute.BinaryOutputArchive;
import org.apache.zookeeper.MultiOperationRecord;

/**
 * How large a transaction is as ZooKeeper's server reads it, and how large it may be. The server
 * does not refuse a request over its jute.maxbuffer (1 MiB unless set): it closes the connection,
 * and Curator sends the same request again on the next one. Measured: an apply of 4,000 shares cut
 * the leader off ZooKeeper for seconds, again and again, and no lease renewal could be recorded
 * meanwhile. So a transaction is measured before it is sent.
 */
final class TransactionSize {
  /** ZooKeeper's limit, as this JVM's client and the embedded server both read it. */
  static final int MAX_BUFFER = Integer.getInteger("jute.maxbuffer", 0xfffff);
  /** What a transaction may come to: the limit, less room for what a later ZooKeeper may add. */
  static final int MAX_BYTES = MAX_BUFFER - 4096;

  private TransactionSize() {}

  /**
   * The bytes of {@code ops} as one request: the request header (8), the multi record as jute
   * writes it (each operation's header, path, data, access list and flags), and the chroot the
   * client puts before every path.
   */
  static long bytes(List<CuratorOp> ops, String chroot) throws IOException {
    long[] n = {0};
    OutputStream counter = new OutputStream() {
      @Override
      public void write(int b) {
        n[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        n[0] += len;
      }
    };
    new MultiOperationRecord(ops.stream().map(CuratorOp::get).toList())
        .serialize(BinaryOutputArchive.getArchive(counter), "request");
    int root = chroot == null ? 0 : chroot.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    return 8 + n[0] + (long) root * ops.size();
  }
}
