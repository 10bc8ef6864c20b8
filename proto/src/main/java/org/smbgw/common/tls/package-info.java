/** Mutual TLS: certificate and key files, the cluster CA smbgw makes where Proxmox's is absent, peers' names. */
package org.smbgw.common.tls;
