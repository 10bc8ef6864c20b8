package org.smbgw.agent.control;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.smbgw.agent.reconcile.DesiredStateSource;
import org.smbgw.proto.v1.NodeDesiredState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's desired states, checked for this node and passed through the
 * {@link RemovalBrake}, with the state accepted last kept in a file so that the brake holds across
 * agent restarts: an agent restarted after ZooKeeper was rebuilt from nothing still knows what it
 * served and which cluster it belongs to. Until the coordinator answers, the accepted state is
 * what the node keeps converging to.
 *
 * <p>Reconcile thread only: checking a state reads storage.cfg (which a hung pmxcfs can stall) and
 * the file is written with fsync; neither may run on the session or lease threads.
 *
 * <p>The file holds users' names but not their NT hashes (password equivalents stay off the
 * node's disk but for Samba's own passdb): a state read back from it leaves every account as
 * passdb has it until the coordinator sends the hashes again.
 *
 * <p>Fails closed: an accepted-state file that exists but cannot be read (empty after a crash,
 * damaged) is not taken for "nothing accepted", which would let the next state remove everything
 * it lacks. The previous copy is used if it is sound; otherwise the node applies nothing until an
 * administrator looks (the status says what to do).
 */
public final class BrakedSource implements DesiredStateSource {
  private static final Logger log = LoggerFactory.getLogger(BrakedSource.class);

  /** Checks and resolves a state for this node; invalid parts are left out with their reason. */
  @FunctionalInterface
  public interface Admission {
    NodeDesiredState admit(NodeDesiredState raw);
  }

  private final DesiredStateSource coordinator;
  private final Admission admission;
  private final Path file;
  private final Path previous;
  private NodeDesiredState accepted;
  private NodeDesiredState lastRaw;
  private NodeDesiredState admitted;
  /** The last admitted state the brake took (what addresses follow); reconcile thread. */
  private NodeDesiredState followed;
  private String unreadable;
  private String refused;
  private String rejected;
  private String unsaved;

  public BrakedSource(DesiredStateSource coordinator, Admission admission, Path file) {
    this.coordinator = coordinator;
    this.admission = admission;
    this.file = file;
    this.previous = file.resolveSibling(file.getFileName() + ".prev");
    load();
  }

  private void load() {
    scrub(file);
    scrub(previous);
    try {
      Files.deleteIfExists(beside(file)); // a save cut short (an older agent's may hold hashes)
    } catch (IOException e) {
      log.warn("cannot remove the unfinished copy of {}: {}", file, e.toString());
    }
    boolean any = Files.exists(file) || Files.exists(previous);
    for (Path p : new Path[] {file, previous}) {
      if (!Files.exists(p)) {
        continue;
      }
      try {
        byte[] bytes = Files.readAllBytes(p);
        NodeDesiredState read = bytes.length == 0 ? null : NodeDesiredState.parseFrom(bytes);
        if (read != null && !read.getNode().isEmpty()) { // every state a coordinator sends names its node
          accepted = read;
          if (p == previous) {
            log.warn("{} was missing or damaged; using {}", file, previous);
          }
          return;
        }
      } catch (IOException e) {
        log.error("cannot read {}: {}", p, e.toString());
      }
    }
    if (any) {
      unreadable = "the accepted desired state (" + file + ") is damaged: without it the node cannot tell a loss "
          + "from a removal, so it applies nothing. Check what the node serves, then remove " + file + " and "
          + previous + " to take the coordinator's state as it is";
      log.error(unreadable);
    }
  }

  @Override
  public Optional<NodeDesiredState> current() {
    if (unreadable != null) {
      return Optional.empty();
    }
    Optional<NodeDesiredState> raw = coordinator.current();
    if (raw.isPresent() && !raw.get().equals(lastRaw)) {
      lastRaw = raw.get();
      try {
        admitted = admission.admit(raw.get());
        rejected = null;
      } catch (RuntimeException e) {
        // For example storage.cfg unreadable: keep the state taken before, say why.
        rejected = "desired state generation " + raw.get().getGeneration() + " not taken: " + e.getMessage();
        log.error(rejected);
      }
    }
    if (admitted == null) {
      return Optional.ofNullable(accepted);
    }
    RemovalBrake.Verdict v = RemovalBrake.decide(accepted, admitted);
    if (v.refused().isEmpty()) {
      followed = admitted;
    }
    String before = refused;
    refused = v.refused().orElse(null);
    if (refused != null && !refused.equals(before)) {
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

  /** Writes the new state beside the old one, syncs it, keeps the old one as the previous copy. */
  private void save() {
    try {
      Files.createDirectories(file.getParent());
      Path tmp = writeBeside(file, accepted);
      if (Files.exists(file)) {
        Files.copy(file, previous, StandardCopyOption.REPLACE_EXISTING);
      }
      replace(tmp, file);
      try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
      unsaved = null;
    } catch (IOException e) {
      unsaved = "cannot keep the accepted desired state in " + file + " (" + e.getMessage()
          + "): after a restart, losses could not be told from removals";
      log.error(unsaved);
    }
  }

  /**
   * Writes {@code p} again without the NT hashes an older agent kept in it (the new copy synced,
   * then moved over it); a file that cannot be read is left for {@link #load} to judge.
   */
  private static void scrub(Path p) {
    try {
      if (!Files.exists(p)) {
        return;
      }
      NodeDesiredState read = NodeDesiredState.parseFrom(Files.readAllBytes(p));
      if (read.getUsersList().stream().noneMatch(u -> !u.getNtHash().isEmpty())) {
        return;
      }
      replace(writeBeside(p, read), p);
      log.info("{}: NT hashes an older agent kept there removed", p);
    } catch (IOException e) {
      log.warn("cannot remove the NT hashes an older agent kept in {}: {}", p, e.toString());
    }
  }

  /** Where a new copy of {@code p} is written before it takes {@code p}'s place. */
  private static Path beside(Path p) {
    return p.resolveSibling(p.getFileName() + ".tmp");
  }

  /** Writes {@code state} as the file keeps it (without hashes) beside {@code p}, synced; returns where. */
  private static Path writeBeside(Path p, NodeDesiredState state) throws IOException {
    Path tmp = beside(p);
    try (FileChannel c = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      c.write(java.nio.ByteBuffer.wrap(withoutHashes(state).toByteArray()));
      c.force(true);
    }
    return tmp;
  }

  private static void replace(Path tmp, Path p) throws IOException {
    try {
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(tmp, p, StandardCopyOption.REPLACE_EXISTING);
    }
  }

  /** {@code state} with every user's NT hash left out (what the file keeps). */
  static NodeDesiredState withoutHashes(NodeDesiredState state) {
    NodeDesiredState.Builder b = state.toBuilder();
    b.getUsersBuilderList().forEach(u -> u.clearNtHash());
    return b.build();
  }

  /**
   * The last state checked for this node that the brake took, as it came (before the brake kept
   * anything): what floating addresses follow. A state the brake did not take (a lagging
   * replica's older one, another cluster's) moves no address.
   */
  public Optional<NodeDesiredState> admitted() {
    return Optional.ofNullable(followed);
  }

  @Override
  public Optional<String> problem() {
    for (String p : new String[] {unreadable, refused, rejected, unsaved}) {
      if (p != null) {
        return Optional.of(p);
      }
    }
    return coordinator.problem();
  }
}
