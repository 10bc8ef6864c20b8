package org.smbgw.agent.samba;

import java.util.List;

/**
 * A Windows ACL (owner, group and DACL) of a share root, as vfs_acl_xattr keeps it.
 *
 * @param stored whether an NT ACL is stored on the root; when not, Samba shows one made from the
 *     mode bits, which nobody set
 * @param control the security descriptor's control bits (protected, auto-inherited)
 */
public record NtAcl(boolean stored, String owner, String group, int control, List<Ace> aces) {
  /** SE_DACL_PROTECTED: the root takes nothing from above the share. */
  public static final int PROTECTED = 0x1000;

  /** A root without a stored ACL, as one the pass is about to make. */
  public static final NtAcl NONE = new NtAcl(false, "", "", 0, List.of());

  public NtAcl {
    aces = List.copyOf(aces);
  }

  /**
   * One access control entry, in the numbers of MS-DTYP 2.4.4.
   *
   * @param type 0 allow, 1 deny
   * @param flags inheritance flags (0x1 objects, 0x2 containers, 0x8 inherit only, 0x10 inherited)
   */
  public record Ace(int type, int flags, int mask, String sid) {
    public static final int ALLOW = 0;
    /** Object and container inherit: the entry reaches everything created below. */
    public static final int INHERIT = 0x3;
    /** Full control. */
    public static final int FULL = 0x1f01ff;
    /** Read and execute: list, read data, attributes and permissions, traverse. */
    public static final int READ = 0x1200a9;

    @Override
    public String toString() {
      return (type == ALLOW ? "allow" : type == 1 ? "deny" : "type " + type) + " " + sid + " "
          + String.format("0x%06x", mask) + (flags == 0 ? "" : String.format(" flags 0x%x", flags));
    }
  }
}
