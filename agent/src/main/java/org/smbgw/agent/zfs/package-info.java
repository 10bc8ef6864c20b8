/**
 * ZFS datasets for shares: observed with one batched {@code zfs get -Hp -r}, created marked with
 * {@code org.smbgw:share}, never touched without that mark.
 */
package org.smbgw.agent.zfs;
