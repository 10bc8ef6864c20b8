/** Which node serves which share: a pure function, tested with tables. */
package org.smbgw.coordinator.placement;
