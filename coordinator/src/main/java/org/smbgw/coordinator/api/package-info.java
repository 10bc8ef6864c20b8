/**
 * The admin API: gRPC AdminService on every replica (followers forward to the leader), mapping of
 * failures to gRPC status codes, and the protobuf views of shares and nodes.
 */
package org.smbgw.coordinator.api;
