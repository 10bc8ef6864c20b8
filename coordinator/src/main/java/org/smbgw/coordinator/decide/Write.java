package org.smbgw.coordinator.decide;

import com.google.protobuf.Message;

/** One znode write of a {@link Change}; versions are those of the snapshot it was decided on. */
public sealed interface Write {
  String path();

  record Create(String path, Message value) implements Write {}

  record Update(String path, Message value, int version) implements Write {}

  /** {@code version} -1: whatever version it has. */
  record Delete(String path, int version) implements Write {}

  /** Fails the change unless the znode still has {@code version}. */
  record Check(String path, int version) implements Write {}
}
