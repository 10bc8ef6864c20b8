/**
 * Proxmox awareness: the node's storages from /etc/pve/storage.cfg, offered to the coordinator by
 * their storage IDs and resolved to a ZFS parent or a directory when a share names one.
 */
package org.smbgw.agent.pve;
