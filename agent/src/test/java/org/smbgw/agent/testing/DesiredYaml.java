package org.smbgw.agent.testing;

import java.util.List;
import org.smbgw.common.NtHash;

/** User and Share resources as a node alone reads them from its desired-state file. */
public final class DesiredYaml {
  private DesiredYaml() {}

  /** A user with {@code password} (only its NT hash is written). */
  public static String user(String name, String password) {
    return "apiVersion: smbgw/v1\nkind: User\nmetadata: {name: " + name + "}\nspec: {ntHash: "
        + NtHash.of(password.toCharArray()) + "}\n";
  }

  /**
   * A share.
   *
   * @param storage the storage in YAML's flow style, for example {@code {directory: {path: /srv/x}}}
   * @param lines more lines of its spec, for example {@code write: {users: [ann]}}
   */
  public static String share(String name, String storage, String... lines) {
    StringBuilder b = new StringBuilder("apiVersion: smbgw/v1\nkind: Share\nmetadata: {name: ").append(name)
        .append("}\nspec:\n  storage: ").append(storage).append('\n');
    for (String line : lines) {
      b.append("  ").append(line).append('\n');
    }
    return b.toString();
  }

  /** Resources as one file. */
  public static String of(List<String> resources) {
    return String.join("---\n", resources);
  }
}
