package org.smbgw.agent.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.common.DesiredStateValidator;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Resources;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.NodeDesiredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Single-node mode: the desired state is a YAML file of Share, User and Purge resources. The file
 * is re-read when its modification time or size changes. A file that breaks a rule is rejected
 * whole, with every violation logged, and the last valid state stays in force: nothing changes
 * because of bad input. Used from the reconcile thread, and polled from it.
 */
public final class DesiredStateFile implements DesiredStateSource {
  private static final Logger log = LoggerFactory.getLogger(DesiredStateFile.class);

  private final Path file;
  private final String node;
  private final java.util.function.Supplier<List<Path>> directoryRoots;
  private FileTime seenTime;
  private long seenSize = -1;
  private String seenContent;
  private NodeDesiredState current;
  private String problem;
  private long generation;

  private final java.util.function.UnaryOperator<NodeDesiredState> resolver;
  /** The group of every share root: no share may make it its administrators. */
  private final String rootsGroup;

  /**
   * @param directoryRoots the roots as they are when a file is read (storage.cfg may add some)
   * @param rootsGroup the group every share root belongs to
   * @param resolver resolves Proxmox storage IDs; throws InvalidSpecException naming the share
   */
  public DesiredStateFile(Path file, String node, java.util.function.Supplier<List<Path>> directoryRoots,
      String rootsGroup, java.util.function.UnaryOperator<NodeDesiredState> resolver) {
    this.rootsGroup = rootsGroup;
    this.file = file;
    this.node = node;
    this.directoryRoots = directoryRoots;
    this.resolver = resolver;
  }

  /** Re-reads the file if it changed; returns whether the desired state changed. */
  public synchronized boolean poll() {
    try {
      FileTime t = Files.getLastModifiedTime(file);
      long size = Files.size(file);
      if (t.equals(seenTime) && size == seenSize) {
        return false;
      }
      seenTime = t;
      seenSize = size;
      String content = Files.readString(file, StandardCharsets.UTF_8);
      if (content.equals(seenContent)) {
        return false;
      }
      seenContent = content;
      NodeDesiredState next = parse(content);
      problem = null;
      if (next.equals(current)) {
        return false;
      }
      current = next;
      log.info("desired state from {}: {} share(s), {} user(s), generation {}", file,
          next.getSharesCount(), next.getUsersCount(), next.getGeneration());
      return true;
    } catch (NoSuchFileException e) {
      problem = "desired-state file " + file + " does not exist";
      return false;
    } catch (InvalidSpecException e) {
      problem = file + " rejected, nothing changed: " + e.getMessage();
      for (Violation v : e.violations()) {
        log.error("{} rejected: {}", file, v);
      }
      return false;
    } catch (IOException e) {
      problem = "cannot read " + file + ": " + e.getMessage();
      return false;
    }
  }

  private NodeDesiredState parse(String content) {
    Resources.ByKind r = Resources.byKind(Resources.parse(content));
    NodeDesiredState.Builder b = NodeDesiredState.newBuilder().setNode(node)
        .addAllShares(r.shares()).addAllUsers(r.users()).addAllPurgeShares(r.purges());
    DesiredStateValidator validator = DesiredStateValidator.onNode(directoryRoots.get(), rootsGroup);
    InvalidSpecException.throwIfAny(validator.validate(b.build()));
    // The generation counts accepted changes; it is not persisted, as the file is the truth.
    NodeDesiredState candidate = resolver.apply(b.build());
    InvalidSpecException.throwIfAny(validator.validate(candidate));
    if (current != null && Objects.equals(candidate, current.toBuilder().setGeneration(0).build())) {
      return current;
    }
    return candidate.toBuilder().setGeneration(++generation).build();
  }

  @Override
  public synchronized Optional<NodeDesiredState> current() {
    return Optional.ofNullable(current);
  }

  @Override
  public synchronized Optional<String> problem() {
    return Optional.ofNullable(problem);
  }
}
