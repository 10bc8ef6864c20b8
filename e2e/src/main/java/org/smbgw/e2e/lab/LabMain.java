package org.smbgw.e2e.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.smbgw.common.NtHash;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.ListNodesRequest;
import org.smbgw.proto.v1.PutUserRequest;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UserSpec;

/**
 * Brings the lab up for exploring by hand ({@code scripts/lab}): three nodes, a user, a share on
 * shared storage behind a floating address; prints how to reach it and waits until interrupted,
 * then tears everything down.
 */
public final class LabMain {
  private LabMain() {}

  public static void main(String[] args) throws Exception {
    org.smbgw.common.Logging.start();
    // Traversable, as LabSetup's: the share's directory lies below, and smbd reads it as the user
    // (at 0700 every listing was refused).
    Path dir = Files.createTempDirectory("smbgw-lab-", PosixFilePermissions.asFileAttribute(
        PosixFilePermissions.fromString("rwxr-xr-x")));
    Lab lab = new Lab(dir, Lab.Settings.defaults("sgwlabuser"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        lab.close();
        System.out.println("lab torn down");
      } catch (Exception e) {
        System.err.println("teardown: " + e);
      }
    }));
    lab.start();
    LabCluster cluster = new LabCluster(lab);
    cluster.awaitNodes(120);
    String password = "lab-Passw0rd";
    cluster.admin().putUser(PutUserRequest.newBuilder().setSpec(UserSpec.newBuilder().setName("sgwlabuser")
        .setNtHash(NtHash.of(password.toCharArray()))).build());
    String vip = Lab.SUBNET + "50";
    cluster.admin().createShare(CreateShareRequest.newBuilder().setSpec(ShareSpec.newBuilder().setName("docs")
        .setStorage(Storage.newBuilder().setPve("shared"))
        .setAddress(vip + "/24").setWrite(org.smbgw.proto.v1.Access.newBuilder().addUsers("sgwlabuser"))).build());
    cluster.awaitServing(vip, 60);
    System.out.println(cluster.admin().listNodes(ListNodesRequest.getDefaultInstance()));
    System.out.println("lab up in " + dir + "; address " + vip + " on " + lab.holdersOf(vip));
    System.out.println("  ip netns exec " + Lab.CLIENT + " smbclient //" + vip + "/docs -U sgwlabuser%" + password + " -c ls");
    System.out.println("  scripts/smbgw --ca " + lab.ca() + " --token-file " + lab.tokenFile() + " --coordinator "
        + Lab.coordinatorAddress(1) + " node list");
    System.out.println("interrupt (Ctrl-C) to tear it down");
    Thread.currentThread().join();
  }
}
