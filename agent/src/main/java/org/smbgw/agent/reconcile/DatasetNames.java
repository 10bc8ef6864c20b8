package org.smbgw.agent.reconcile;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The dataset name a new share gets under its parent. Cosmetic only: the {@code org.smbgw:share}
 * mark, not the name, binds a dataset to its share. Names ZFS accepts as they are stay as they
 * are; others get their unsafe characters replaced and a short hash of the share name appended,
 * so two shares never map to one dataset.
 */
public final class DatasetNames {
  private DatasetNames() {}

  public static String component(String share) {
    if (share.matches("[A-Za-z0-9][A-Za-z0-9_.:-]{0,79}")) {
      return share;
    }
    StringBuilder b = new StringBuilder();
    for (char c : share.toCharArray()) {
      b.append(c < 128 && (Character.isLetterOrDigit(c) || "_.:-".indexOf(c) >= 0) ? c : '-');
    }
    String safe = b.length() > 40 ? b.substring(0, 40) : b.toString();
    return (safe.startsWith("-") ? "s" : "") + safe + "-" + shortHash(share);
  }

  private static String shortHash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(d, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required of every JDK", e);
    }
  }
}
