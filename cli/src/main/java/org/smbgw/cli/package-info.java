/**
 * The {@code smbgw} administrator's command line: talks gRPC to any coordinator replica, prints
 * tables, JSON or YAML, and exits with the codes DESIGN.md section 5 documents.
 */
package org.smbgw.cli;
