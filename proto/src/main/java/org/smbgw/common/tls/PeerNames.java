package org.smbgw.common.tls;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.naming.InvalidNameException;
import javax.naming.ldap.LdapName;
import javax.naming.ldap.Rdn;

/**
 * The names a certificate gives its holder: its subject's common name and its DNS and IP
 * subject alternative names, in that order.
 *
 * <p>A certificate names node N when its common name is exactly N, or, for a node name without a
 * dot, when the common name's first label is exactly N (Proxmox puts the node's fully qualified
 * name there: "pve1.example.com" is node pve1's). Case counts, as it does for node names
 * everywhere else in smbgw: "N1" is not "n1". Not by its alternative names: every node's
 * certificate carries "localhost", and an address is no node's name.
 */
public record PeerNames(Optional<String> commonName, List<String> names) {

  public static PeerNames of(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    Optional<String> cn = Optional.empty();
    try {
      for (Rdn rdn : new LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) {
          cn = Optional.of(rdn.getValue().toString());
        }
      }
    } catch (InvalidNameException e) {
      // no usable subject: the alternative names alone
    }
    cn.ifPresent(names::add);
    try {
      Collection<List<?>> sans = cert.getSubjectAlternativeNames();
      if (sans != null) {
        for (List<?> san : sans) {
          int type = (Integer) san.get(0);
          if ((type == 2 || type == 7) && !names.contains(san.get(1).toString())) {
            names.add(san.get(1).toString());
          }
        }
      }
    } catch (CertificateParsingException e) {
      // unreadable alternative names: the common name alone
    }
    return new PeerNames(cn, List.copyOf(names));
  }

  /** Whether this certificate is node {@code node}'s (see the class comment). */
  public boolean namesNode(String node) {
    if (commonName.isEmpty() || node == null || node.isEmpty()) {
      return false;
    }
    String cn = commonName.get();
    return cn.equals(node) || (!node.contains(".") && cn.startsWith(node + "."));
  }

  /** The node name: the common name up to its first dot, or "?" without one. */
  public String node() {
    return commonName.map(c -> c.contains(".") ? c.substring(0, c.indexOf('.')) : c).orElse("?");
  }
}
