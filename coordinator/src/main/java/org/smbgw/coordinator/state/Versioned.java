package org.smbgw.coordinator.state;

/** A value read from a znode, with the znode version a compare-and-set write must name. */
public record Versioned<T>(T value, int version) {}
