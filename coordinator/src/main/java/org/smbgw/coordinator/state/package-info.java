/**
 * The desired state in ZooKeeper under /smbgw/v1: one znode per object, protobuf messages stored
 * as JSON, every write compare-and-set, leader writes fenced by the epoch.
 */
package org.smbgw.coordinator.state;
