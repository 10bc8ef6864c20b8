package org.smbgw.common;

import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.UserSpec;

/** One document of an {@code apiVersion: smbgw/v1} file. */
public sealed interface Resource {
  String kind();

  String name();

  record Share(ShareSpec spec) implements Resource {
    public String kind() {
      return "Share";
    }

    public String name() {
      return spec.getName();
    }
  }

  record User(UserSpec spec) implements Resource {
    public String kind() {
      return "User";
    }

    public String name() {
      return spec.getName();
    }
  }

  /** Asks for a retired share's dataset to be destroyed. Declared, so that it is deliberate. */
  record Purge(String name) implements Resource {
    public String kind() {
      return "Purge";
    }
  }
}
