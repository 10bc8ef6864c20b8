/** ZooKeeper itself: the embedded single server used when no ensemble is configured. */
package org.smbgw.coordinator.zk;
