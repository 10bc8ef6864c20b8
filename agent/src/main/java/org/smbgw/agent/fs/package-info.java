/** Share root directories: existence, group ownership and mode, through Java's file API. */
package org.smbgw.agent.fs;
