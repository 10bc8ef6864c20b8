/** Bounded per-share history built from what agents report, for smbgw share stats. */
package org.smbgw.coordinator.stats;
