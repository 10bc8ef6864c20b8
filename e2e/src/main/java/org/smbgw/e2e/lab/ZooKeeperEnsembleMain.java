package org.smbgw.e2e.lab;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingCluster;

/**
 * A three-server ZooKeeper ensemble in one process, for the lab's own namespace: servers on ports
 * 2181-2183 of one address. Runs until killed. Args: data directory, tick time in ms, address.
 * Whatever the tick, a follower may take 5 s to join and 2.5 s to answer (initLimit and syncLimit
 * are counted in ticks), and sessions of up to 60 s are granted (ZooKeeper's default ceiling is 20
 * ticks).
 */
public final class ZooKeeperEnsembleMain {
  private ZooKeeperEnsembleMain() {}

  public static void main(String[] args) throws Exception {
    org.smbgw.common.Logging.start();
    File dir = new File(args[0]);
    int tick = Integer.parseInt(args[1]);
    Map<String, Object> limits = Map.of("initLimit", ticks(5000, tick), "syncLimit", ticks(2500, tick),
        "maxSessionTimeout", "60000");
    List<InstanceSpec> specs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      File data = new File(dir, "zk" + (i + 1));
      if (!data.mkdirs() && !data.isDirectory()) {
        throw new java.io.IOException("cannot create " + data);
      }
      specs.add(new InstanceSpec(data, 2181 + i, 3881 + i, 2881 + i, true, i + 1, tick, 200,
          limits, args[2]));
    }
    try (TestingCluster cluster = new TestingCluster(specs)) {
      cluster.start();
      System.out.println("ensemble up: " + cluster.getConnectString());
      Thread.currentThread().join();
    }
  }

  private static String ticks(int millis, int tick) {
    return Integer.toString(Math.max(1, (millis + tick - 1) / tick));
  }
}
