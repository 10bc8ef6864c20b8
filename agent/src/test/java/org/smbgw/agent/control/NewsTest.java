package org.smbgw.agent.control;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.NodeDesiredState;
import org.smbgw.proto.v1.ShareSpec;

/** Which desired states from the coordinators cost the node a pass. */
class NewsTest {
  private static final NodeDesiredState STATE = NodeDesiredState.newBuilder().setNode("n1").setGeneration(7).setEpoch(2)
      .addShares(ShareSpec.newBuilder().setName("docs")).build();

  @Test
  void aNewLeadersTermAloneIsNoNews() {
    assertFalse(CoordinatorClient.news(STATE, STATE.toBuilder().setEpoch(3).build(), false));
    assertFalse(CoordinatorClient.news(STATE, STATE, false));
  }

  @Test
  void anythingElseIsNews() {
    assertTrue(CoordinatorClient.news(null, STATE, false), "the first state");
    assertTrue(CoordinatorClient.news(STATE, STATE.toBuilder().setGeneration(8).build(), false), "a new generation");
    assertTrue(CoordinatorClient.news(STATE, STATE.toBuilder().setEpoch(3).addShares(ShareSpec.newBuilder().setName("it"))
        .build(), false), "a new share under a new term");
    assertTrue(CoordinatorClient.news(STATE, STATE.toBuilder().setEpoch(3).build(), true),
        "the same state after the session broke: the node's status must lose the problem");
  }
}
