/**
 * Benchmarks: programs that print {@code figure <name> <value> <unit>} lines, run by
 * {@code scripts/bench NAME}. They measure; they never assert on time.
 */
package org.smbgw.e2e.bench;
