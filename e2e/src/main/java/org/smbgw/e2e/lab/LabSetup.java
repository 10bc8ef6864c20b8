package org.smbgw.e2e.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;

/**
 * The lab with what every failover check needs: a user, a share on shared storage behind a
 * floating address, and a file written through it before any fault.
 */
public final class LabSetup implements AutoCloseable {
  public static final String USER = "sgwlabuser";
  public static final String ADDRESS = Lab.SUBNET + "50";
  public static final String SHARE = "docs";
  public static final String FILE = "before-fault.txt";

  private final Lab lab;
  private final LabCluster cluster;
  private final String content;
  private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
  /** Tears the lab down when the JVM is stopped (Ctrl-C, SIGTERM) before close() ran. */
  private final Thread hook = new Thread(this::closeQuietly, "lab-teardown");

  private LabSetup(Lab lab, LabCluster cluster, String content) {
    this.lab = lab;
    this.cluster = cluster;
    this.content = content;
    Runtime.getRuntime().addShutdownHook(hook);
  }

  private void closeQuietly() {
    try {
      teardown();
    } catch (Exception e) {
      System.err.println("lab teardown: " + e);
    }
  }

  public static LabSetup start(Lab.Settings settings) throws Exception {
    Path dir = Files.createTempDirectory("smbgw-lab-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    Lab lab = new Lab(dir, settings);
    try {
      lab.start();
      LabCluster cluster = new LabCluster(lab);
      cluster.awaitNodes(180);
      String password = "Lab-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
      cluster.admin().putUser(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName(USER)
          .setNtHash(NtHash.of(password.toCharArray()))).build());
      cluster.credentials(USER, password);
      cluster.admin().createShare(CreateShareRequest.newBuilder().setSpec(ShareSpec.newBuilder().setName(SHARE)
          .setStorage(Storage.newBuilder().setPve("shared")).setAddress(ADDRESS + "/24")
          .setWrite(Access.newBuilder().addUsers(USER))).build());
      cluster.awaitServing(ADDRESS, 120);
      String content = "written before the fault " + System.nanoTime();
      Path local = dir.resolve("client").resolve(FILE);
      Files.writeString(local, content);
      CommandResult put = null;
      for (int i = 0; i < 50; i++) {
        put = cluster.smbclient(ADDRESS, SHARE, "put " + local + " " + FILE, Duration.ofSeconds(10));
        if (put.succeeded() && !put.stdout().contains("NT_STATUS")) {
          break;
        }
        Thread.sleep(200); // the account may still be on its way to the node
      }
      if (put == null || !put.succeeded()) {
        throw new IllegalStateException("cannot write through " + ADDRESS + ": " + (put == null ? "" : put.stdout() + put.stderr()));
      }
      return new LabSetup(lab, cluster, content);
    } catch (Exception | Error e) {
      lab.close();
      removeDirectory(lab); // what went wrong is in the exception, logs included
      throw e;
    }
  }

  public Lab lab() {
    return lab;
  }

  public LabCluster cluster() {
    return cluster;
  }

  public String content() {
    return content;
  }

  public FaultRun faults() {
    return new FaultRun(cluster, ADDRESS, SHARE, FILE, content);
  }

  /** Tears the lab down and deletes its directory (kept, logs and all, when SMBGW_LAB_KEEP is set). */
  @Override
  public void close() throws Exception {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // already shutting down: the hook runs it
    }
    teardown();
  }

  private void teardown() throws Exception {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    lab.close();
    removeDirectory(lab);
  }

  /** Deletes the lab's directory (kept, logs and all, when SMBGW_LAB_KEEP is set). */
  private static void removeDirectory(Lab lab) throws java.io.IOException {
    if (System.getenv("SMBGW_LAB_KEEP") == null) {
      try (var files = Files.walk(lab.dir())) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }
}
