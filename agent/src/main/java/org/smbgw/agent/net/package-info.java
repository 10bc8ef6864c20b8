/**
 * Floating addresses on this node: holding them under the node's lease with kernel lifetimes,
 * announcing them (gratuitous ARP), tickling the clients of a previous holder, and reading the
 * established connections to report for the next one.
 */
package org.smbgw.agent.net;
