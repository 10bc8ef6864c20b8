package org.smbgw.coordinator.decide;

/**
 * What a decision needs besides the snapshot and the request: the leader's epoch, which every
 * record it writes carries (never the view's, which can lag a new term), and the wall-clock time
 * of the decision, for what people read (events, failover phases).
 */
public record Context(long epoch, long wallMillis) {}
