package org.smbgw.common;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.ShareSpec;

/** Checks one share against every rule; the same code runs in the CLI, coordinator and agent. */
public final class ShareValidator {
  /** Proxmox's pve-storage-id format. */
  private static final java.util.regex.Pattern PVE_STORAGE_ID =
      java.util.regex.Pattern.compile("[a-z][a-z0-9._-]{0,98}[a-z0-9]|[a-z]", java.util.regex.Pattern.CASE_INSENSITIVE);

  /** Null where the node is not known (coordinator, CLI): any absolute directory passes. */
  private final List<Path> directoryRoots;

  /** The group every share root belongs to on the node, or null where not known. */
  private final String rootsGroup;

  private ShareValidator(List<Path> directoryRoots, String rootsGroup) {
    this.directoryRoots = directoryRoots == null ? null : List.copyOf(directoryRoots);
    this.rootsGroup = rootsGroup;
  }

  /** For the coordinator and the CLI, which do not know where a share will run. */
  public static ShareValidator anyNode() {
    return new ShareValidator(null, null);
  }

  /**
   * For a node whose share roots belong to {@code rootsGroup}: a share whose administrators
   * include that group would make every user with access to any share an administrator.
   */
  public static ShareValidator onNode(List<Path> directoryRoots, String rootsGroup) {
    return new ShareValidator(directoryRoots, rootsGroup);
  }

  /**
   * For a node: directory storage must lie under one of {@code directoryRoots} (its
   * {@code directoryRoots} setting and its Proxmox directory storages); with none, a directory
   * share has nowhere it may go and is refused.
   */
  public static ShareValidator onNode(List<Path> directoryRoots) {
    return new ShareValidator(directoryRoots, null);
  }

  /** @param prefix how fields are named in messages, for example {@code "Share/projects: spec"} */
  public List<Violation> validate(String prefix, ShareSpec share) {
    List<Violation> out = new ArrayList<>();
    Names.shareName(prefix + ".name", share.getName(), out);
    switch (share.getStorage().getKindCase()) {
      case ZFS -> Paths.datasetName(prefix + ".storage.zfs.parent", share.getStorage().getZfs().getParent(), out);
      case DIRECTORY -> {
        if (directoryRoots != null && directoryRoots.isEmpty()) {
          out.add(new Violation(prefix + ".storage.directory.path", "this node has no directory roots (directoryRoots "
              + "in its agent.yaml, or a Proxmox directory storage): directory shares cannot go anywhere on it"));
        } else {
          Paths.directoryUnderRoots(prefix + ".storage.directory.path", share.getStorage().getDirectory().getPath(),
              directoryRoots == null ? List.of(Path.of("/")) : directoryRoots, out);
        }
        if (share.getQuotaBytes() > 0) {
          out.add(new Violation(prefix + ".quota", "directory storage cannot enforce a quota; "
              + "use ZFS storage or leave the quota out"));
        }
      }
      case PVE -> {
        if (!PVE_STORAGE_ID.matcher(share.getStorage().getPve()).matches()) {
          out.add(new Violation(prefix + ".storage.pve", "a Proxmox storage ID is letters, digits, "
              + "'-', '_' and '.', starting with a letter (got " + Text.quote(share.getStorage().getPve()) + ")"));
        }
      }
      case KIND_NOT_SET -> out.add(new Violation(prefix + ".storage",
          "storage is required: pve (a Proxmox storage ID), zfs.parent (a dataset) or directory.path"));
    }
    Text.comment(prefix + ".comment", share.getComment(), out);
    access(prefix + ".read", share.getRead(), out);
    access(prefix + ".write", share.getWrite(), out);
    access(prefix + ".admin", share.getAdmin(), out);
    if (!share.getGuestOk() && isEmpty(share.getRead()) && isEmpty(share.getWrite())
        && isEmpty(share.getAdmin())) {
      // Samba treats an empty "valid users" as "everybody": refuse rather than publish that.
      out.add(new Violation(prefix + ".read", "a share needs at least one user or group in "
          + "read, write or admin, or guestOk: true"));
    }
    if (share.getReadOnly() && !isEmpty(share.getWrite())) {
      out.add(new Violation(prefix + ".write", "a read-only share cannot have writers"));
    }
    int warning = share.hasQuotaWarningPercent() ? share.getQuotaWarningPercent() : 85;
    int critical = share.hasQuotaCriticalPercent() ? share.getQuotaCriticalPercent() : 95;
    if (warning < 1 || warning > 100 || critical < 1 || critical > 100 || warning >= critical) {
      out.add(new Violation(prefix + ".quotaWarningPercent", "alert thresholds are percentages from 1 to 100, "
          + "the warning below the critical one (got " + warning + " and " + critical + ")"));
    }
    if (share.getAdopt() && !share.getStorage().hasDirectory() && !share.getStorage().hasPve()) {
      out.add(new Violation(prefix + ".adopt", "adopting an existing directory applies to directory storage only"));
    }
    hardening(prefix, share, out);
    if (!share.getAddress().isEmpty()) {
      Addresses.cidr(prefix + ".address", share.getAddress(), out);
    }
    return out;
  }

  /** Protocol floor, encryption, client networks, and the combinations that cannot be made safe. */
  private void hardening(String prefix, ShareSpec share, List<Violation> out) {
    if (!List.of("", "SMB2", "SMB3").contains(share.getMinProtocol())) {
      out.add(new Violation(prefix + ".minProtocol", "is SMB2 or SMB3 (got " + Text.quote(share.getMinProtocol()) + ")"));
    }
    if (!List.of("", "off", "desired", "required").contains(share.getEncrypt())) {
      out.add(new Violation(prefix + ".encrypt", "is off, desired or required (got " + Text.quote(share.getEncrypt()) + ")"));
    }
    networks(prefix + ".hostsAllow", share.getHostsAllowList(), out);
    networks(prefix + ".hostsDeny", share.getHostsDenyList(), out);
    if (share.getGuestOk() && !share.getReadOnly() && (!isEmpty(share.getWrite()) || !isEmpty(share.getAdmin()))) {
      out.add(new Violation(prefix + ".guestOk", "guest access with writers is refused: a share anyone can read is "
          + "not one people write to (set readOnly: true, or leave out the write and admin lists)"));
    }
    if (rootsGroup != null && share.getAdmin().getGroupsList().contains(rootsGroup)) {
      out.add(new Violation(prefix + ".admin.groups", "'" + rootsGroup + "' is the group of every share root on this "
          + "node: as administrators, everyone with access to any share would act as root on this one"));
    }
  }

  private static void networks(String field, List<String> values, List<Violation> out) {
    for (int i = 0; i < values.size(); i++) {
      String v = values.get(i);
      List<Violation> bad = new ArrayList<>();
      Addresses.cidr(field + "[" + i + "]", v.contains("/") ? v : v + (v.contains(":") ? "/128" : "/32"), bad);
      if (!bad.isEmpty()) {
        out.add(new Violation(field + "[" + i + "]", "a client network is an address or CIDR, for example 10.0.0.0/24 "
            + "(got " + Text.quote(v) + ")"));
      }
    }
  }

  private static void access(String field, Access access, List<Violation> out) {
    for (int i = 0; i < access.getUsersCount(); i++) {
      Names.userName(field + ".users[" + i + "]", access.getUsers(i), out);
    }
    for (int i = 0; i < access.getGroupsCount(); i++) {
      Names.groupName(field + ".groups[" + i + "]", access.getGroups(i), out);
    }
  }

  private static boolean isEmpty(Access a) {
    return a.getUsersCount() == 0 && a.getGroupsCount() == 0;
  }
}
