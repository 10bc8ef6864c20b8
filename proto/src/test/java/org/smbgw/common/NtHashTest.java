package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class NtHashTest {
  @Test
  void md4MatchesRfc1320TestSuite() {
    String[][] vectors = {
        {"", "31d6cfe0d16ae931b73c59d7e0c089c0"},
        {"a", "bde52cb31de33e46245e05fbdbd6fb24"},
        {"abc", "a448017aaf21d8525fc10ae87aa6729d"},
        {"message digest", "d9130a8164549fe818874806e1c7014b"},
        {"abcdefghijklmnopqrstuvwxyz", "d79e1c308aa5bbcdeea8ed63df412da9"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "e33b4ddc9c38f2199c3e7b164fcc0536"}};
    for (String[] v : vectors) {
      assertEquals(v[1], HexFormat.of().formatHex(NtHash.md4(v[0].getBytes(StandardCharsets.US_ASCII))), v[0]);
    }
  }

  @Test
  void ntHashOfPasswordIsTheOneSambaStores() {
    assertEquals("8846F7EAEE8FB117AD06BDD830B7586C", NtHash.of("password".toCharArray()));
  }
}
