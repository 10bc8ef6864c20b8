package org.smbgw.agent.users;

/** One line of /etc/passwd, as far as smbgw cares. */
public record UnixAccount(String name, int uid, int gid, String gecos) {
  /** The GECOS text smbgw writes on accounts it creates, and looks for before removing one. */
  public static final String MANAGED_GECOS = "smbgw managed account";

  public boolean managed() {
    return MANAGED_GECOS.equals(gecos);
  }
}
