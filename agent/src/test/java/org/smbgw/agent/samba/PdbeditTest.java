package org.smbgw.agent.samba;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PdbeditTest {
  @Test
  void readsNamesAndNtHashesFromSmbpasswdFormat() {
    String out = "alice:999:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:8846f7eaee8fb117ad06bdd830b7586c:[UX         ]:LCT-6920A1B2:\n"
        + "bob:998:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:0CB6948805F797BF2A82807973B89537:[U          ]:LCT-00000000:\n";
    assertEquals(Map.of("alice", "8846F7EAEE8FB117AD06BDD830B7586C", "bob", "0CB6948805F797BF2A82807973B89537"),
        Pdbedit.parseSmbpasswd(out));
  }
}
