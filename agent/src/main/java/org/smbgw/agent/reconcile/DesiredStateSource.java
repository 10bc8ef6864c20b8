package org.smbgw.agent.reconcile;

import java.util.Optional;
import org.smbgw.proto.v1.NodeDesiredState;

/** Where the desired state comes from: a file in single-node mode, the coordinator otherwise. */
public interface DesiredStateSource {
  /** The newest valid desired state, or empty while there is none. Called on the reconcile thread. */
  Optional<NodeDesiredState> current();

  /** Errors that keep the newest input from being used (for example an invalid file), or empty. */
  default Optional<String> problem() {
    return Optional.empty();
  }
}
