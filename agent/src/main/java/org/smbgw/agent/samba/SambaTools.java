package org.smbgw.agent.samba;

/** Paths of the Samba programs the agent runs (configurable for unusual installs and tests). */
public record SambaTools(String smbd, String testparm, String smbcontrol, String pdbedit, String smbstatus) {
  public static SambaTools defaults() {
    return new SambaTools("/usr/sbin/smbd", "/usr/bin/testparm", "/usr/bin/smbcontrol",
        "/usr/bin/pdbedit", "/usr/bin/smbstatus");
  }
}
