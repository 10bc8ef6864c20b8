package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JnaTest {
  @TempDir
  Path dir;

  @Test
  void theLibraryIsUnpackedOnceUnderANameOfItsOwnContent() throws Exception {
    Path lib = Jna.unpacked(dir, "amd64");
    byte[] shipped;
    try (var in = Jna.class.getResourceAsStream("/com/sun/jna/linux-x86-64/libjnidispatch.so")) {
      shipped = in.readAllBytes();
    }
    assertArrayEquals(shipped, Files.readAllBytes(lib));
    assertEquals(dir, lib.getParent().getParent());
    Files.setLastModifiedTime(lib, FileTime.fromMillis(0));
    assertEquals(lib, Jna.unpacked(dir, "x86_64"));
    assertEquals(FileTime.fromMillis(0), Files.getLastModifiedTime(lib), "a second start rewrote it");
    try (var files = Files.list(lib.getParent())) {
      assertEquals(1, files.count(), "only the library is left there");
    }
  }

  @Test
  void aTruncatedCopyIsReplaced() throws Exception {
    Path lib = Jna.unpacked(dir, "amd64");
    Files.write(lib, new byte[10]);
    assertEquals(lib, Jna.unpacked(dir, "amd64"));
    assertEquals(Files.size(Jna.unpacked(dir.resolve("fresh"), "amd64")), Files.size(lib));
  }

  @Test
  void anArchitectureJnaShipsNoLibraryForIsLeftToJna() {
    assertNull(Jna.unpacked(dir, "riscv64"));
  }
}
