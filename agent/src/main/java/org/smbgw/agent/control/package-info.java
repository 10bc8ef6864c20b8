/**
 * Cluster mode: the agent's stream to a coordinator replica, which brings the node's desired
 * state and takes its reports; it moves to another replica by itself when the stream breaks.
 */
package org.smbgw.agent.control;
