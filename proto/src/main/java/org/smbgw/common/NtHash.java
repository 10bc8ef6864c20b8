package org.smbgw.common;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The NT hash Samba stores for a password: MD4 (RFC 1320) of its UTF-16LE encoding. Computed where
 * the password is typed so that the password itself never travels. The JDK ships MD4 only as an
 * internal class, so it is implemented here (checked against RFC 1320's test vectors).
 */
public final class NtHash {
  private static final Pattern HEX32 = Pattern.compile("[0-9A-Fa-f]{32}");

  private NtHash() {}

  /** Upper-case hex of the NT hash of {@code password}; clears its own copy of the bytes. */
  public static String of(char[] password) {
    ByteBuffer encoded = StandardCharsets.UTF_16LE.encode(CharBuffer.wrap(password));
    byte[] bytes = new byte[encoded.remaining()];
    encoded.get(bytes);
    Arrays.fill(encoded.array(), (byte) 0);
    try {
      return HexFormat.of().withUpperCase().formatHex(md4(bytes));
    } finally {
      Arrays.fill(bytes, (byte) 0);
    }
  }

  public static void validate(String field, String hash, List<Violation> out) {
    if (hash == null || !HEX32.matcher(hash).matches()) {
      out.add(new Violation(field, "an NT hash is 32 hexadecimal digits (use 'smbgw user add', "
          + "which asks for the password and sends only its hash)"));
    }
  }

  /** The canonical (upper-case) form Samba prints in {@code pdbedit -L -w}. */
  public static String canonical(String hash) {
    return hash.toUpperCase(Locale.ROOT);
  }

  static byte[] md4(byte[] message) {
    long bitLength = (long) message.length * 8;
    int padded = ((message.length + 8) / 64 + 1) * 64;
    ByteBuffer buf = ByteBuffer.allocate(padded).order(ByteOrder.LITTLE_ENDIAN);
    buf.put(message).put((byte) 0x80);
    buf.putLong(padded - 8, bitLength);
    int a = 0x67452301;
    int b = 0xefcdab89;
    int c = 0x98badcfe;
    int d = 0x10325476;
    int[] x = new int[16];
    for (int block = 0; block < padded; block += 64) {
      for (int i = 0; i < 16; i++) {
        x[i] = buf.getInt(block + 4 * i);
      }
      int aa = a;
      int bb = b;
      int cc = c;
      int dd = d;
      int[] s1 = {3, 7, 11, 19};
      for (int i = 0; i < 16; i++) {
        int f = (b & c) | (~b & d);
        int t = Integer.rotateLeft(a + f + x[i], s1[i % 4]);
        a = d; d = c; c = b; b = t;
      }
      int[] s2 = {3, 5, 9, 13};
      for (int i = 0; i < 16; i++) {
        int k = (i % 4) * 4 + i / 4;
        int g = (b & c) | (b & d) | (c & d);
        int t = Integer.rotateLeft(a + g + x[k] + 0x5a827999, s2[i % 4]);
        a = d; d = c; c = b; b = t;
      }
      int[] s3 = {3, 9, 11, 15};
      int[] order3 = {0, 8, 4, 12, 2, 10, 6, 14, 1, 9, 5, 13, 3, 11, 7, 15};
      for (int i = 0; i < 16; i++) {
        int h = b ^ c ^ d;
        int t = Integer.rotateLeft(a + h + x[order3[i]] + 0x6ed9eba1, s3[i % 4]);
        a = d; d = c; c = b; b = t;
      }
      a += aa; b += bb; c += cc; d += dd;
    }
    return ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(a).putInt(b).putInt(c).putInt(d).array();
  }
}
