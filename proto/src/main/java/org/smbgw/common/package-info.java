/**
 * Rules every side of smbgw applies to values before acting on them (share and user names, sizes,
 * paths, addresses), and the declarative {@code apiVersion: smbgw/v1} resource format. Every
 * rejection is a {@link org.smbgw.common.Violation} naming the field and the rule it broke.
 */
package org.smbgw.common;
