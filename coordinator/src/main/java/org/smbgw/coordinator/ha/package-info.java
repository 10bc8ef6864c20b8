/**
 * High availability: node leases, floating addresses and their failover (DESIGN section 4).
 *
 * <p>The safety argument, in one place. An agent holds an address only while its lease is valid:
 * until the time it <em>sent</em> its last acknowledged renewal plus L, and the kernel enforces
 * it with the address's lifetime. A renewal is acknowledged only after it is recorded in
 * ZooKeeper by a transaction that also checks the version of every address it grants, so a grant
 * names only addresses that were assigned to the node when the renewal was recorded. The leader
 * reassigns a node's address only after L + margin without seeing the node's lease znode change,
 * on its own clock, and its reassignment checks that the lease znode still has the version it saw.
 * That version was recorded after its renewal was sent, so the holder let go before the new holder
 * is even told. A new leader uses the times at which it saw the lease versions while it was a
 * follower: with the version check, those are as good as its own.
 */
package org.smbgw.coordinator.ha;
