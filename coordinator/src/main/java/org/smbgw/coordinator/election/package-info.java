/**
 * Leader election (Curator's LeaderLatch) and the epoch: each new leader increments a counter in
 * ZooKeeper; its writes are fenced by that counter's version and its directives carry it.
 */
package org.smbgw.coordinator.election;
