package org.smbgw.agent.zfs;

/**
 * One dataset as {@code zfs get -Hp} reported it.
 *
 * @param share the {@code org.smbgw:share} mark, or null when smbgw does not manage it
 * @param state the {@code org.smbgw:state} mark ({@code active} or {@code retired}), or null
 * @param quota bytes; 0 when none
 */
public record Dataset(String name, String type, long quota, long used, long available,
    String mountpoint, boolean mounted, String share, String state) {
  public static final String SHARE_PROPERTY = "org.smbgw:share";
  public static final String STATE_PROPERTY = "org.smbgw:state";
  public static final String ACTIVE = "active";
  public static final String RETIRED = "retired";

  public boolean managed() {
    return share != null;
  }

  public boolean retired() {
    return RETIRED.equals(state);
  }
}
