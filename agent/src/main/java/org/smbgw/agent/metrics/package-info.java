/** Every metric the agent records, declared in one place around an injected registry. */
package org.smbgw.agent.metrics;
