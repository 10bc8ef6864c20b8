/** The smbgw node agent: wiring, lifecycle and the command line that starts it. */
package org.smbgw.agent;
