package org.smbgw.coordinator.ha;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.zookeeper.KeeperException;
import org.smbgw.coordinator.state.ClusterView;
import org.smbgw.coordinator.state.Json;
import org.smbgw.coordinator.state.Tracked;
import org.smbgw.coordinator.state.ZkPaths;
import org.smbgw.proto.v1.AddressAssignment;
import org.smbgw.proto.v1.AddressRecord;
import org.smbgw.proto.v1.LeaseGrant;
import org.smbgw.proto.v1.LeaseRecord;
import org.smbgw.proto.v1.LeaseRenewal;

/**
 * Records renewals. Any replica does it, for the agents attached to it, so a change of leader does
 * not interrupt them. Not a leader write: a lease belongs to its node, and the transaction only
 * reads addresses (version checks), so it needs no fencing.
 */
public final class Leases {
  private final CuratorFramework zk;
  private final ClusterView view;
  private final LeaseSettings settings;
  private final String replica;
  /** Wall-clock time, for the record's renewedAtMillis (for people: expiry is counted on the view's clock). */
  private final Clock clock;

  public Leases(CuratorFramework zk, ClusterView view, LeaseSettings settings, String replica, Clock clock) {
    this.clock = clock;
    this.zk = zk;
    this.view = view;
    this.settings = settings;
    this.replica = replica;
  }

  public LeaseSettings settings() {
    return settings;
  }

  /**
   * Records the renewal and answers with the addresses the node may hold. When the view is behind
   * ZooKeeper (an address changed since it was read), the transaction fails and is retried on a
   * view that has caught up; the grant never names an address on the strength of a stale read.
   */
  public LeaseGrant renew(String node, String incarnation, LeaseRenewal r) {
    LeaseGrant.Builder grant = LeaseGrant.newBuilder().setSeq(r.getSeq())
        .setLeaseMillis((int) settings.lease().toMillis());
    byte[] record = Json.bytes(LeaseRecord.newBuilder().setNode(node).setIncarnation(incarnation)
        .addAllHeld(r.getHeldList()).addAllConnections(r.getConnectionsList()).setCoordinator(replica)
        .setRenewedAtMillis(clock.millis()).build());
    if (!zk.getZookeeperClient().isConnected()) {
      // No quorum, no lease: answer at once rather than after Curator's retries.
      return grant.setError("renewal not recorded: this coordinator is not connected to ZooKeeper").build();
    }
    String last = "";
    for (int attempt = 0; attempt < 8; attempt++) {
      List<AddressAssignment> granted = new ArrayList<>();
      List<CuratorOp> ops = new ArrayList<>();
      try {
        for (Map.Entry<String, Tracked<AddressRecord>> e : view.addresses().entrySet()) {
          AddressRecord a = e.getValue().value();
          if (a.getNode().equals(node)) {
            ops.add(zk.transactionOp().check().withVersion(e.getValue().version()).forPath(ZkPaths.ADDRESSES + "/" + e.getKey()));
            granted.add(AddressAssignment.newBuilder().setAddress(a.getAddress()).setInterface(a.getInterface())
                .addAllTickles(a.getTicklesList()).build());
          }
        }
        ops.add(zk.transactionOp().setData().forPath(ZkPaths.lease(node), record));
        zk.transaction().forOperations(ops);
        return grant.addAllAddresses(granted).build();
      } catch (KeeperException.NoNodeException e) {
        last = "no lease znode";
        try {
          zk.create().creatingParentsIfNeeded().forPath(ZkPaths.lease(node), new byte[0]);
        } catch (Exception ignored) {
          // created concurrently, or ZooKeeper is away: the next attempt tells
        }
      } catch (KeeperException e) {
        last = e.code().toString();
        if (e.code() != KeeperException.Code.BADVERSION) {
          break;
        }
        pause(10L << Math.min(attempt, 4));
      } catch (Exception e) {
        last = e.toString();
        break;
      }
    }
    return grant.setError("renewal not recorded: " + last).build();
  }

  private static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
