/**
 * System accounts behind Samba users: created without shell or home, marked in their GECOS field
 * so that smbgw only ever removes accounts it created.
 */
package org.smbgw.agent.users;
