package org.smbgw.coordinator.state;

/**
 * A znode's value as this replica saw it: its version (for compare-and-set), its mzxid (ZooKeeper's
 * order of writes), and when this replica first saw that version, on its ticker ({@code
 * seenNanos}, for ages shown to people and for whether a node renews steadily enough to take an
 * address) and on its {@link ListeningClock} ({@code heardNanos}, what
 * lease expiry counts). Both are this replica's own clocks and mean nothing on another one.
 */
public record Tracked<T>(T value, int version, long mzxid, long seenNanos, long heardNanos) {}
