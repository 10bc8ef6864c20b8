package org.smbgw.coordinator.state;

/**
 * A znode's value as this replica saw it: its version (for compare-and-set), its mzxid (ZooKeeper's
 * order of writes) and {@link System#nanoTime()} when this replica first saw that version. The
 * last is this replica's own clock and means nothing on another one.
 */
public record Tracked<T>(T value, int version, long mzxid, long seenNanos) {}
