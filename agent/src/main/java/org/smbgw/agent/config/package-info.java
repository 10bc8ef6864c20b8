/** The agent's own configuration file, and the desired-state file of single-node mode. */
package org.smbgw.agent.config;
