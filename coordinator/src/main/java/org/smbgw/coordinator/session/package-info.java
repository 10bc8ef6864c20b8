/**
 * Agent sessions: one bidirectional gRPC stream per agent, to any replica; each node's complete
 * desired state is computed from the ZooKeeper view and pushed whenever it changes.
 */
package org.smbgw.coordinator.session;
