package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SizesTest {
  @ParameterizedTest
  @CsvSource({"1024,1024", "10G,10737418240", "512M,536870912", "1K,1024", "2T,2199023255552",
      "1.5G,1610612736", "10GiB,10737418240", "10gb,10737418240", "0,0", "1P,1125899906842624"})
  void parsesBinaryUnits(String text, long bytes) {
    List<Violation> out = new ArrayList<>();
    assertEquals(bytes, Sizes.parse("spec.quota", text, out));
    assertEquals(List.of(), out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"-1", "10X", "G", "1.5", "ten", "99999999999P", "1.2345G", "", "1 0G"})
  void rejectsNonsenseNamingTheField(String text) {
    List<Violation> out = new ArrayList<>();
    assertEquals(-1, Sizes.parse("spec.quota", text, out));
    assertEquals(1, out.size());
    assertEquals("spec.quota", out.get(0).field());
  }

  @Test
  void formatsTheShortestExactForm() {
    assertEquals("10G", Sizes.format(10L << 30));
    assertEquals("1536M", Sizes.format(1536L << 20));
    assertEquals("1000", Sizes.format(1000));
  }
}
