package org.smbgw.agent.samba;

/** Paths of the Samba programs the agent runs (configurable for unusual installs and tests). */
public record SambaTools(String smbd, String testparm, String smbcontrol, String pdbedit, String smbstatus, String net,
    String sambaTool) {
  public static SambaTools defaults() {
    return new SambaTools("/usr/sbin/smbd", "/usr/bin/testparm", "/usr/bin/smbcontrol",
        "/usr/bin/pdbedit", "/usr/bin/smbstatus", "/usr/bin/net", "/usr/bin/samba-tool");
  }

  /** The same programs, with smbstatus at {@code smbstatus}. */
  public SambaTools withSmbstatus(String smbstatus) {
    return new SambaTools(smbd, testparm, smbcontrol, pdbedit, smbstatus, net, sambaTool);
  }
}
