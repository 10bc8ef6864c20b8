/**
 * A small cluster on one machine, for failover tests and benchmarks: node namespaces and a client
 * namespace on a bridge in a switch namespace, a ZooKeeper ensemble in its own namespace, and in
 * each node a coordinator replica and an agent with its own smbd. Traffic stays inside
 * 198.18.77.0/24 (the benchmarking range), in namespaces the lab made.
 */
package org.smbgw.e2e.lab;
