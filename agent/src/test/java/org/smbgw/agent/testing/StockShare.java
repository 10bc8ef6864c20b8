package org.smbgw.agent.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A stock Samba share ({@code read only = no}, nothing else) that an administrator wrote into
 * smb.conf beside smbgw's, served by the same smbd: what a generated share is compared with.
 */
public final class StockShare {
  private StockShare() {}

  /**
   * Adds {@code [name]} serving {@code dir} (made writable by everyone, as a stock share's
   * directory is for its users) to {@code smbConf}, before smbgw's share include.
   */
  public static void add(Path smbConf, String name, Path dir) throws Exception {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    List<String> lines = new ArrayList<>(Files.readAllLines(smbConf, StandardCharsets.UTF_8));
    int at = lines.size();
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).startsWith("# Shares managed by smbgw")) {
        at = i;
      }
    }
    lines.addAll(at, List.of("[" + name + "]", "\tpath = " + dir, "\tread only = no"));
    Files.write(smbConf, lines, StandardCharsets.UTF_8);
  }
}
