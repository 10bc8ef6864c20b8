package org.smbgw.coordinator.decide;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a decision decided: the writes (one fenced transaction), the events they come with, the
 * reply, and what moved (for metrics). A change with no writes and no events writes nothing.
 *
 * @param cause why shares moved ("placement", "planned", "failover"), or empty when nothing can have
 * @param moved how many share placements the writes move
 * @param failover the phases of a failover this change records as finished (seconds), else empty
 */
public record Change<R>(List<Write> writes, List<Note> events, R reply, String cause, int moved,
    Map<String, Double> failover) {
  public Change {
    writes = List.copyOf(writes);
    events = List.copyOf(events);
    failover = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(failover)); // phases in order
  }

  /** An event of the change; the writer stamps its time, epoch and decision. */
  public record Note(String kind, String subject, String message) {}

  /** Nothing to write; the answer is {@code reply}. */
  public static <R> Change<R> none(R reply) {
    return new Change<>(List.of(), List.of(), reply, "", 0, Map.of());
  }

  public boolean writesNothing() {
    return writes.isEmpty() && events.isEmpty();
  }

  /** Collects a change as a decision works it out. */
  public static final class Builder {
    private final List<Write> writes = new ArrayList<>();
    private final List<Note> events = new ArrayList<>();
    private String cause = "";
    private int moved;
    private Map<String, Double> failover = Map.of();

    public Builder add(Write w) {
      writes.add(w);
      return this;
    }

    /**
     * What this change already writes at {@code path} (created or updated), so that a second edit
     * of the same znode builds on the first instead of undoing it.
     */
    public java.util.Optional<com.google.protobuf.Message> pending(String path) {
      for (Write w : writes) {
        if (w.path().equals(path) && w instanceof Write.Create c) {
          return java.util.Optional.of(c.value());
        }
        if (w.path().equals(path) && w instanceof Write.Update u) {
          return java.util.Optional.of(u.value());
        }
      }
      return java.util.Optional.empty();
    }

    /** Adds {@code w}, or puts it in place of this change's earlier write of the same znode. */
    public Builder replace(Write w) {
      for (int i = 0; i < writes.size(); i++) {
        if (writes.get(i).path().equals(w.path())) {
          writes.set(i, w);
          return this;
        }
      }
      return add(w);
    }

    public Builder event(String kind, String subject, String message) {
      events.add(new Note(kind, subject, message));
      return this;
    }

    public Builder moved(String cause, int shares) {
      this.cause = cause;
      this.moved += shares;
      return this;
    }

    public Builder failover(Map<String, Double> phases) {
      this.failover = phases;
      return this;
    }

    /** Writes so far (a decision that adds to them conditionally looks). */
    public List<Write> writes() {
      return writes;
    }

    public <R> Change<R> reply(R reply) {
      return new Change<>(writes, events, reply, cause, moved, failover);
    }

    /** Everything collected, as decided; with {@code dryRun} nothing is written. */
    public <R> Change<R> reply(R reply, boolean dryRun) {
      return dryRun ? Change.none(reply) : reply(reply);
    }
  }
}
