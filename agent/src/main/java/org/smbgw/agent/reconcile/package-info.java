/**
 * Level-triggered reconciliation: observe the node with batched calls, plan with a pure function
 * from (desired, observed) to typed steps, apply them with per-subject undo, audit every action.
 */
package org.smbgw.agent.reconcile;
