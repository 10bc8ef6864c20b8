package org.smbgw.agent.samba;

/**
 * Paths of the Samba programs the agent runs (configurable for unusual installs and tests), and
 * of the Python that has Samba's bindings (Debian's python3-samba is for the system's python3).
 */
public record SambaTools(String smbd, String testparm, String smbcontrol, String pdbedit, String smbstatus, String net,
    String python) {
  public static SambaTools defaults() {
    return new SambaTools("/usr/sbin/smbd", "/usr/bin/testparm", "/usr/bin/smbcontrol",
        "/usr/bin/pdbedit", "/usr/bin/smbstatus", "/usr/bin/net", "/usr/bin/python3");
  }

  /** The same programs, with smbstatus at {@code smbstatus}. */
  public SambaTools withSmbstatus(String smbstatus) {
    return new SambaTools(smbd, testparm, smbcontrol, pdbedit, smbstatus, net, python);
  }
}
