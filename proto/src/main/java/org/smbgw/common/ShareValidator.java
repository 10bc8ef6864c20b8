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

  private ShareValidator(List<Path> directoryRoots) {
    this.directoryRoots = directoryRoots == null ? null : List.copyOf(directoryRoots);
  }

  /** For the coordinator and the CLI, which do not know where a share will run. */
  public static ShareValidator anyNode() {
    return new ShareValidator(null);
  }

  /**
   * For a node: directory storage must lie under one of {@code directoryRoots} (its
   * {@code directoryRoots} setting and its Proxmox directory storages); with none, a directory
   * share has nowhere it may go and is refused.
   */
  public static ShareValidator onNode(List<Path> directoryRoots) {
    return new ShareValidator(directoryRoots);
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
    if (!share.getAddress().isEmpty()) {
      Addresses.cidr(prefix + ".address", share.getAddress(), out);
    }
    return out;
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
