package org.smbgw.coordinator.election;

/**
 * One leader's term: the epoch it set, and the version of the epoch znode after it did, which its
 * fenced writes check.
 */
public record Term(long epoch, int epochVersion) {}
