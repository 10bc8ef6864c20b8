package org.smbgw.coordinator.state;

/** A write ZooKeeper refused, by kind, with a message a person can act on. */
public final class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  public enum Kind {
    /** The epoch moved on: this replica is no longer the leader. */
    NOT_LEADER,
    EXISTS,
    NOT_FOUND,
    /** Changed by someone else since it was read. */
    CONFLICT,
    /** ZooKeeper could not be reached. */
    UNAVAILABLE,
    /** The desired state's generation moved since the decision was made: decide again. */
    MOVED,
    /** ZooKeeper's answer to a write was lost and whether it was written cannot be told now. */
    OUTCOME_UNKNOWN,
    /** More than ZooKeeper takes in one transaction: nothing was sent. */
    TOO_LARGE
  }

  private final Kind kind;

  public StoreException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
