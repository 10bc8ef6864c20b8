/** The smbgw coordinator: wiring, lifecycle and its command line. */
package org.smbgw.coordinator;
