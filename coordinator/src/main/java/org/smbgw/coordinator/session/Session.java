package org.smbgw.coordinator.session;

import java.util.HashMap;
import java.util.Map;
import org.smbgw.proto.v1.LiveNode;
import org.smbgw.proto.v1.NodeDesiredState;

/** One agent's stream on this replica; belongs to the sessions thread. */
final class Session {
  final String node;
  final String incarnation;
  final Outbound out;
  /**
   * The node as its stream describes it (storages, stream): what its desired states are made from,
   * and what this replica writes to live/NODE (and puts back after a new ZooKeeper session).
   */
  LiveNode live;
  /** The desired state last sent. */
  NodeDesiredState sent;
  /** Alert counts this session has handled, by share. */
  final Map<String, Integer> alertsSeen = new HashMap<>();

  Session(String node, String incarnation, Outbound out, LiveNode live) {
    this.node = node;
    this.incarnation = incarnation;
    this.out = out;
    this.live = live;
  }
}
