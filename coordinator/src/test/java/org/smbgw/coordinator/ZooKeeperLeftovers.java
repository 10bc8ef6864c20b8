package org.smbgw.coordinator;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Curator's test servers start ZooKeeper embedded, which writes a
 * {@code zookeeper.configuration*.properties} into the temporary directory at every start and never
 * removes it. Registered on a test class, this removes those that appeared during each test; others
 * that own servers call {@link #present()} and {@link #removeNewSince(Set)} themselves.
 */
public final class ZooKeeperLeftovers implements BeforeEachCallback, AfterEachCallback {
  private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(ZooKeeperLeftovers.class);

  /** The configuration files in the temporary directory now. */
  public static Set<Path> present() {
    Set<Path> found = new HashSet<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(System.getProperty("java.io.tmpdir")),
        "zookeeper.configuration*.properties")) {
      files.forEach(found::add);
    } catch (IOException e) {
      // nothing to compare against: nothing will be removed
    }
    return found;
  }

  /** Removes the configuration files that were not there in {@code before}. */
  public static void removeNewSince(Set<Path> before) throws IOException {
    for (Path f : present()) {
      if (!before.contains(f)) {
        Files.deleteIfExists(f);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    context.getStore(NS).put("before", present());
  }

  @Override
  @SuppressWarnings("unchecked")
  public void afterEach(ExtensionContext context) throws IOException {
    Set<Path> before = context.getStore(NS).get("before", Set.class);
    if (before != null) {
      removeNewSince(before);
    }
  }
}
