/**
 * The one way the agent starts external programs: argument lists, a timeout on every call,
 * both output streams captured, secrets only on stdin, failures typed and carrying stderr, each
 * call timed by tool. No other code in the agent starts processes.
 */
package org.smbgw.agent.exec;
