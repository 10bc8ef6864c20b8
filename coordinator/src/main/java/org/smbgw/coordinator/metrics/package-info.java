/** The coordinator's metrics, declared in one class, and its Prometheus endpoint. */
package org.smbgw.coordinator.metrics;
