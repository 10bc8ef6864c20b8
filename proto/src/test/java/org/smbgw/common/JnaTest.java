package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
  void aTruncatedOrDamagedCopyIsReplacedAndAnotherVersionsIsRemoved() throws Exception {
    Path lib = Jna.unpacked(dir, "amd64");
    byte[] whole = Files.readAllBytes(lib);
    Files.write(lib, new byte[10]);
    assertArrayEquals(whole, Files.readAllBytes(Jna.unpacked(dir, "amd64")));
    Files.write(lib, new byte[whole.length]); // same size, zeros: as a power loss may leave it
    assertArrayEquals(whole, Files.readAllBytes(Jna.unpacked(dir, "amd64")));
    Path old = Files.createDirectories(dir.resolve("jna-0ld")).resolve("libjnidispatch.so");
    Files.write(old, new byte[] {1});
    Jna.unpacked(dir, "amd64");
    assertFalse(Files.exists(old.getParent()), "another version's copy is left");
  }

  @Test
  void anArchitectureJnaShipsNoLibraryForIsLeftToJna() {
    assertNull(Jna.unpacked(dir, "riscv64"));
  }
}
