package org.smbgw.agent.control;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.proto.v1.NodeDesiredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's desired states through the {@link RemovalBrake}, with the state accepted last
 * kept in a file so that the brake holds across agent restarts: an agent restarted after ZooKeeper
 * was rebuilt from nothing still knows what it served and which cluster it belongs to. Until the
 * coordinator answers, the accepted state is what the node keeps converging to. Reconcile thread
 * only (file I/O never runs on the session or lease threads).
 */
public final class BrakedSource implements DesiredStateSource {
  private static final Logger log = LoggerFactory.getLogger(BrakedSource.class);
  private final DesiredStateSource coordinator;
  private final Path file;
  private NodeDesiredState accepted;
  private String refused;
  private String unsaved;

  public BrakedSource(DesiredStateSource coordinator, Path file) {
    this.coordinator = coordinator;
    this.file = file;
    this.accepted = read(file);
  }

  private static NodeDesiredState read(Path file) {
    try {
      return NodeDesiredState.parseFrom(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      // Unreadable: nothing to brake with. Said loudly, because removals are not braked now.
      log.error("cannot read the accepted desired state {} ({}): losses cannot be told from removals until the "
          + "next state is accepted", file, e.toString());
      return null;
    }
  }

  @Override
  public Optional<NodeDesiredState> current() {
    Optional<NodeDesiredState> incoming = coordinator.current();
    if (incoming.isEmpty()) {
      return Optional.ofNullable(accepted);
    }
    RemovalBrake.Verdict v = RemovalBrake.decide(accepted, incoming.get());
    refused = v.refused().orElse(null);
    if (refused != null && !v.state().getKeptList().equals(accepted.getKeptList())) {
      log.warn("{}", refused);
    }
    if (!v.state().equals(accepted)) {
      if (!v.state().getKeptList().isEmpty() && (accepted == null || !v.state().getKeptList().equals(accepted.getKeptList()))) {
        log.warn("keeping {}: missing from the desired state without an intent to remove (smbgw node confirm-removal "
            + "{} lets them go)", v.state().getKeptList(), v.state().getNode());
      }
      accepted = v.state();
      save();
    }
    return Optional.of(accepted);
  }

  private void save() {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.createDirectories(file.getParent());
      Files.write(tmp, accepted.toByteArray());
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      unsaved = null;
    } catch (IOException e) {
      unsaved = "cannot keep the accepted desired state in " + file + " (" + e.getMessage()
          + "): after a restart, losses could not be told from removals";
      log.error(unsaved);
    }
  }

  @Override
  public Optional<String> problem() {
    if (refused != null) {
      return Optional.of(refused);
    }
    if (unsaved != null) {
      return Optional.of(unsaved);
    }
    return coordinator.problem();
  }
}
