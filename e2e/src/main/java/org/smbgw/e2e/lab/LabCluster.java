package org.smbgw.e2e.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.smbgw.agent.exec.Command;
import org.smbgw.agent.exec.CommandResult;
import org.smbgw.proto.v1.AdminServiceGrpc;
import org.smbgw.proto.v1.ListAddressesRequest;
import org.smbgw.proto.v1.ListNodesRequest;
import org.smbgw.proto.v1.Node;

/**
 * The lab as a client sees it: admin calls that survive a dead replica, and SMB clients in the
 * client namespace (smbclient, and smbj in this JVM).
 */
public final class LabCluster {
  private final Lab lab;
  private final Path auth;
  private volatile String user;
  private volatile String password;

  public LabCluster(Lab lab) throws Exception {
    this.lab = lab;
    Path dir = Files.createDirectories(lab.dir().resolve("client"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    this.auth = dir.resolve("auth");
  }

  public Lab lab() {
    return lab;
  }

  /** The admin API through a replica that answers, retried for a while (replicas come and go). */
  public AdminServiceGrpc.AdminServiceBlockingStub admin() throws InterruptedException {
    RuntimeException last = null;
    for (int i = 0; i < 100; i++) {
      try {
        return lab.admin();
      } catch (RuntimeException e) {
        last = e;
        Thread.sleep(200);
      }
    }
    throw last;
  }

  public void credentials(String user, String password) throws Exception {
    Files.writeString(auth, "username = " + user + "\npassword = " + password + "\n");
    Files.setPosixFilePermissions(auth, PosixFilePermissions.fromString("rw-------"));
    this.user = user;
    this.password = password;
  }

  /** A client in the client namespace, in this JVM, signed in as {@link #credentials} set. */
  public SmbjClient smbj(Duration timeout) throws IOException {
    if (user == null) {
      throw new IllegalStateException("no credentials set for the lab's client");
    }
    return new SmbjClient(Lab.CLIENT, user, password, timeout);
  }

  /** smbclient in the client namespace: one new connection, the given commands. */
  public CommandResult smbclient(String address, String share, String commands, Duration timeout) throws Exception {
    return lab.runner().runAllowingFailure(Command.of(Lab.in(Lab.CLIENT, List.of("smbclient", "//" + address + "/" + share,
        "-A", auth.toString(), "-m", "SMB3", "-t", Long.toString(Math.max(1, timeout.toSeconds())), "-c", commands)))
        .timeout(timeout));
  }

  public Path authFile() {
    return auth;
  }

  /** Waits until every node is connected; throws with the coordinators' view after the limit. */
  public void awaitNodes(int seconds) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        List<Node> nodes = lab.admin().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        if (nodes.size() == Lab.NODES && nodes.stream().allMatch(Node::getConnected)) {
          return;
        }
        last = nodes.toString();
      } catch (RuntimeException e) {
        last = e.getMessage();
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("nodes not all connected after " + seconds + " s: " + last + "\n"
        + lab.log("n1-agent") + "\n" + lab.log("n1-coordinator"));
  }

  /** Waits until every node renews its lease (as the replica answering sees it). */
  public void awaitLeases(int seconds) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      try {
        List<Node> nodes = lab.admin().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
        if (nodes.size() == Lab.NODES && nodes.stream().allMatch(n -> n.getLeaseAgeMillis() < 1000 && n.getConnected())) {
          return;
        }
        last = nodes.stream().map(n -> n.getName() + " lease age " + n.getLeaseAgeMillis() + " ms").toList().toString();
      } catch (RuntimeException e) {
        last = e.getMessage();
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("leases not all renewed after " + seconds + " s: " + last);
  }

  /** Waits until the address is up on exactly one node and holds it there (the lease says up). */
  public String awaitServing(String address, int seconds) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      List<String> holders = lab.holdersOf(address);
      if (holders.size() == 1) {
        try {
          var list = lab.admin().listAddresses(ListAddressesRequest.getDefaultInstance()).getAddressesList();
          if (list.stream().anyMatch(a -> a.getAddress().startsWith(address + "/") && a.getUp()
              && a.getNode().equals(holders.get(0)))) {
            return holders.get(0);
          }
          last = list.toString();
        } catch (RuntimeException e) {
          last = e.getMessage();
        }
      } else {
        last = "held by " + holders;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(address + " not served within " + seconds + " s: " + last);
  }
}
