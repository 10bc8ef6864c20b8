package org.smbgw.coordinator.placement;

import java.util.List;
import org.smbgw.proto.v1.StorageOffer;

/**
 * A node as placement sees it.
 *
 * @param connected whether its agent is attached; only connected nodes take new shares, since
 *     only they have told what storage they have
 */
public record Candidate(String name, boolean connected, boolean maintenance, List<StorageOffer> storages) {}
