package org.smbgw.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.common.ExitCodes;
import org.smbgw.common.InvalidSpecException;
import org.smbgw.common.Resource;
import org.smbgw.common.Resources;
import org.smbgw.common.Sizes;
import org.smbgw.common.Violation;
import org.smbgw.proto.v1.Access;
import org.smbgw.proto.v1.CreateShareRequest;
import org.smbgw.proto.v1.DeleteShareRequest;
import org.smbgw.proto.v1.DeleteShareResponse;
import org.smbgw.proto.v1.DirectoryStorage;
import org.smbgw.proto.v1.GetShareRequest;
import org.smbgw.proto.v1.ListSharesRequest;
import org.smbgw.proto.v1.ListSharesResponse;
import org.smbgw.proto.v1.MoveShareRequest;
import org.smbgw.proto.v1.Share;
import org.smbgw.proto.v1.StorageFeatures;
import org.smbgw.proto.v1.ShareSpec;
import org.smbgw.proto.v1.Storage;
import org.smbgw.proto.v1.UpdateShareRequest;
import org.smbgw.proto.v1.ZfsStorage;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw share ...} */
@Command(name = "share", description = "Create, inspect, change, move and delete shares.",
    subcommands = {ShareCommands.Create.class, ShareCommands.ListCmd.class, ShareCommands.Show.class,
        ShareCommands.Update.class, ShareCommands.Delete.class, ShareCommands.Move.class, ShareCommands.Stats.class})
final class ShareCommands {
  @ParentCommand
  Smbgw root;

  /** What a share command prints about shares. */
  /** Connect, make one call, print the shares it answered with (as {@link #print} does). */
  static <T extends com.google.protobuf.MessageOrBuilder> int show(Smbgw root, picocli.CommandLine.Model.CommandSpec command,
      java.util.function.Function<org.smbgw.proto.v1.AdminServiceGrpc.AdminServiceBlockingStub, T> call,
      java.util.function.Function<T, List<Share>> shares) {
    try (Coordinators c = root.connect()) {
      T answer = c.call(call);
      print(root, command.commandLine().getOut(), shares.apply(answer), answer);
    }
    return ExitCodes.OK;
  }

  static void print(Smbgw root, java.io.PrintWriter out, List<Share> shares, com.google.protobuf.MessageOrBuilder whole) {
    if (root.output == Output.Format.yaml) {
      // Declarative form: what 'smbgw apply -f' takes back.
      List<Resource> rs = new ArrayList<>();
      shares.forEach(s -> rs.add(new Resource.Share(s.getSpec())));
      out.print(Resources.toYaml(rs));
      out.flush();
      return;
    }
    List<List<String>> rows = new ArrayList<>();
    for (Share s : shares) {
      rows.add(List.of(s.getSpec().getName(), s.getNode().isEmpty() ? "-" : s.getNode(),
          s.hasStatus() ? s.getStatus().getState().name().replace("SHARE_STATE_", "").toLowerCase() : "unknown",
          s.hasStatus() ? Sizes.format(s.getStatus().getUsedBytes()) : "-",
          s.getSpec().getQuotaBytes() > 0 ? Sizes.format(s.getSpec().getQuotaBytes()) : "none",
          s.hasStatus() ? Integer.toString(s.getStatus().getSessions()) : "-",
          storage(s.getSpec().getStorage())));
    }
    Output.print(out, root.output, whole, List.of("NAME", "NODE", "STATE", "USED", "QUOTA", "SESSIONS", "STORAGE"), rows);
  }

  static String storage(Storage s) {
    return switch (s.getKindCase()) {
      case PVE -> s.getPve();
      case ZFS -> "zfs:" + s.getZfs().getParent();
      case DIRECTORY -> "dir:" + s.getDirectory().getPath();
      case KIND_NOT_SET -> "-";
    };
  }

  /** Options shared by create and update; unset ones leave the spec as it was. */
  static final class SpecOptions {
    @ArgGroup(exclusive = true)
    StorageChoice storage;

    static final class StorageChoice {
      @Option(names = "--storage", description = "Proxmox storage ID (from storage.cfg), for example local-zfs.")
      String pve;
      @Option(names = "--zfs-parent", description = "ZFS dataset to create the share's dataset under.")
      String zfs;
      @Option(names = "--dir", description = "Directory to serve (shared filesystems; no quota).")
      String dir;
    }

    @Option(names = "--quota", description = "Size limit, for example 10G; 0 for none.")
    String quota;
    @Option(names = "--read", description = "Users and @groups who may read, comma-separated.")
    String read;
    @Option(names = "--write", description = "Users and @groups who may write.")
    String write;
    @Option(names = "--admin", description = "Users and @groups who act as root on the share.")
    String admin;
    @Option(names = "--comment", description = "One line shown to clients.")
    String comment;
    @Option(names = "--read-only", negatable = true, description = "Nobody writes.")
    Boolean readOnly;
    @Option(names = "--browseable", negatable = true, description = "Listed to clients (default: yes).")
    Boolean browseable;
    @Option(names = "--guest", negatable = true, description = "Allow guest access (default: no).")
    Boolean guest;
    @Option(names = "--address", description = "Floating address (CIDR) the share is reached through.")
    String address;
    @Option(names = "--min-protocol", description = "SMB2 (default) or SMB3: the oldest protocol a client may use "
        + "(Samba's floor is per server: SMB3 raises it for the share's node).")
    String minProtocol;
    @Option(names = "--encrypt", description = "off (default), desired or required: SMB3 encryption of the share.")
    String encrypt;
    @Option(names = "--hosts-allow", description = "Client networks allowed (CIDR or addresses, comma-separated); "
        + "\"\" for any.")
    String hostsAllow;
    @Option(names = "--hosts-deny", description = "Client networks refused (CIDR or addresses, comma-separated).")
    String hostsDeny;
    @Option(names = "--adopt", negatable = true, description = "Directory storage: serve a directory that exists and "
        + "holds files, making it root's with smbgw's group and mode 2770 (default: no; only a new or empty one).")
    Boolean adopt;

    ShareSpec applyTo(ShareSpec.Builder b) {
      List<Violation> v = new ArrayList<>();
      if (storage != null) {
        if (storage.pve != null) {
          b.setStorage(Storage.newBuilder().setPve(storage.pve));
        } else if (storage.zfs != null) {
          b.setStorage(Storage.newBuilder().setZfs(ZfsStorage.newBuilder().setParent(storage.zfs)));
        } else {
          b.setStorage(Storage.newBuilder().setDirectory(DirectoryStorage.newBuilder().setPath(storage.dir)));
        }
      }
      if (quota != null) {
        long q = Sizes.parse("--quota", quota, v);
        if (q >= 0) {
          b.setQuotaBytes(q);
        }
      }
      if (read != null) {
        b.setRead(access(read));
      }
      if (write != null) {
        b.setWrite(access(write));
      }
      if (admin != null) {
        b.setAdmin(access(admin));
      }
      if (comment != null) {
        b.setComment(comment);
      }
      if (readOnly != null) {
        b.setReadOnly(readOnly);
      }
      if (browseable != null) {
        if (browseable) {
          b.clearBrowseable();
        } else {
          b.setBrowseable(false);
        }
      }
      if (guest != null) {
        b.setGuestOk(guest);
      }
      if (address != null) {
        b.setAddress(address);
      }
      if (adopt != null) {
        b.setAdopt(adopt);
      }
      if (minProtocol != null) {
        b.setMinProtocol(minProtocol);
      }
      if (encrypt != null) {
        b.setEncrypt(encrypt);
      }
      if (hostsAllow != null) {
        b.clearHostsAllow().addAllHostsAllow(Smbgw.split(hostsAllow));
      }
      if (hostsDeny != null) {
        b.clearHostsDeny().addAllHostsDeny(Smbgw.split(hostsDeny));
      }
      InvalidSpecException.throwIfAny(v);
      return b.build();
    }

    static Access access(String csv) {
      Access.Builder a = Access.newBuilder();
      for (String n : Smbgw.split(csv)) {
        if (n.startsWith("@")) {
          a.addGroups(n.substring(1));
        } else {
          a.addUsers(n);
        }
      }
      return a.build();
    }
  }

  @Command(name = "create", description = "Create a share; it is placed on a node that has its storage.")
  static final class Create implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Share name.")
    String name;
    @Mixin
    SpecOptions options;

    @Override
    public Integer call() {
      if (options.storage == null) {
        throw new Smbgw.UsageError("give the share's storage: --storage ID, --zfs-parent DATASET or --dir PATH");
      }
      ShareSpec s = options.applyTo(ShareSpec.newBuilder().setName(name));
      return show(parent.root, spec, admin -> admin.createShare(CreateShareRequest.newBuilder().setSpec(s).build()),
          List::of);
    }
  }

  @Command(name = "list", description = "List shares, where they run and how full they are.")
  static final class ListCmd implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return show(parent.root, spec, admin -> admin.listShares(ListSharesRequest.getDefaultInstance()),
          ListSharesResponse::getSharesList);
    }
  }

  @Command(name = "show", description = "Show one share: its spec, node, usage and quota.")
  static final class Show implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Share name.")
    String name;

    @Override
    public Integer call() {
      java.io.PrintWriter out = spec.commandLine().getOut();
      try (Coordinators c = parent.root.connect()) {
        Share share = c.call(admin -> admin.getShare(GetShareRequest.newBuilder().setName(name).build()));
        print(parent.root, out, List.of(share), share);
        if (parent.root.output == Output.Format.table) {
          out.println(features(share));
          out.flush();
        }
      }
      return ExitCodes.OK;
    }
  }

  /** What the share's storage keeps, as the node serving it found out. */
  static String features(Share s) {
    if (!s.hasStatus() || !s.getStatus().hasFeatures()) {
      return "storage features: not reported (no node serves the share's root yet, or its agent predates the report)";
    }
    StorageFeatures f = s.getStatus().getFeatures();
    String attributes = f.getXattrs()
        ? "storage features: extended attributes (DOS attributes are kept in them)"
        : "storage features: no extended attributes (DOS attributes are kept in mode bits: archive, system and hidden"
            + " as execute bits, read-only as the owner's write bit)";
    String acls = f.getAcls()
        ? "Windows ACLs: yes (the lists say who may connect and seed the root's ACL; ACLs set from Windows decide access inside)"
        : "Windows ACLs: no" + (f.getAclsNote().isEmpty() ? "" : " (" + f.getAclsNote() + ")");
    return attributes + "\n" + acls;
  }

  @Command(name = "update", description = "Change a share; options not given stay as they are.")
  static final class Update implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Share name.")
    String name;
    @Mixin
    SpecOptions options;

    @Override
    public Integer call() {
      try (Coordinators c = parent.root.connect()) {
        Share current = c.call(admin -> admin.getShare(GetShareRequest.newBuilder().setName(name).build()));
        ShareSpec next = options.applyTo(current.getSpec().toBuilder());
        Share updated = c.call(admin -> admin.updateShare(UpdateShareRequest.newBuilder().setSpec(next).build()));
        print(parent.root, spec.commandLine().getOut(), List.of(updated), updated);
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Unpublish shares. Their data is kept unless --purge is given.")
  static final class Delete implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(arity = "1..*", description = "Share names.")
    List<String> names;
    @Option(names = "--purge", description = "Also destroy the shares' datasets and snapshots. Cannot be undone.")
    boolean purge;
    @Option(names = "--parallel", defaultValue = "1", description = "Delete this many at a time (default: 1).")
    int parallel;

    @Override
    public Integer call() throws Exception {
      if (parallel < 1) {
        throw new Smbgw.UsageError("--parallel must be at least 1");
      }
      try (Coordinators c = parent.root.connect()) {
        List<DeleteShareResponse> done = Batch.run(names, parallel, n -> c.call(admin ->
            admin.deleteShare(DeleteShareRequest.newBuilder().setName(n).setPurge(purge).build())));
        List<List<String>> rows = new ArrayList<>();
        done.forEach(d -> rows.add(List.of(d.getName(), d.getNode(), d.getPurge() ? "purging" : "retired (data kept)")));
        var out = spec.commandLine().getOut();
        if (parent.root.output == Output.Format.table) {
          Output.table(out, List.of("NAME", "NODE", "RESULT"), rows);
        } else {
          done.forEach(d -> Output.print(out, parent.root.output, d, List.of(), List.of()));
        }
        out.flush();
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "move", description = "Move a share to another node (shared storage only).")
  static final class Move implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Share name.")
    String name;
    @Option(names = "--to", required = true, description = "Target node.")
    String node;

    @Override
    public Integer call() {
      return show(parent.root, spec, admin -> admin.moveShare(MoveShareRequest.newBuilder().setName(name).setNode(node).build()),
          List::of);
    }
  }

  @Command(name = "stats", description = "A share's connections and usage now and over the last hours.")
  static final class Stats implements Callable<Integer> {
    @ParentCommand
    ShareCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Share name.")
    String name;
    @Option(names = "--since", defaultValue = "1h", description = "How far back: 90s, 30m, 1h, 24h (default: ${DEFAULT-VALUE}).")
    String since;

    /** Bytes per second between two samples, as a size; "-" for the first sample. */
    static String rate(org.smbgw.proto.v1.ShareSample before, org.smbgw.proto.v1.ShareSample after, long bytes) {
      if (before == null || after.getTimeMillis() <= before.getTimeMillis()) {
        return "-";
      }
      return Sizes.format(Math.max(0, bytes) * 1000 / (after.getTimeMillis() - before.getTimeMillis()));
    }

    @Override
    public Integer call() {
      long seconds = Smbgw.seconds("--since", since);
      try (Coordinators c = parent.root.connect()) {
        org.smbgw.proto.v1.ShareStatsResponse r = c.call(admin -> admin.shareStats(
            org.smbgw.proto.v1.ShareStatsRequest.newBuilder().setName(name).setSinceSeconds(seconds).build()));
        List<List<String>> rows = new ArrayList<>();
        org.smbgw.proto.v1.ShareSample previous = null;
        for (org.smbgw.proto.v1.ShareSample x : r.getSamplesList()) {
          rows.add(List.of(java.time.Instant.ofEpochMilli(x.getTimeMillis()).toString(), Integer.toString(x.getSessions()),
              Integer.toString(x.getTreeConnects()), Integer.toString(x.getOpenFiles()), Sizes.format(x.getUsedBytes()),
              x.getQuotaBytes() > 0 ? Sizes.format(x.getQuotaBytes()) : "none",
              rate(previous, x, x.getStorageWrittenBytes() - (previous == null ? 0 : previous.getStorageWrittenBytes())),
              rate(previous, x, x.getStorageReadBytes() - (previous == null ? 0 : previous.getStorageReadBytes()))));
          previous = x;
        }
        Output.print(spec.commandLine().getOut(), parent.root.output, r,
            List.of("TIME", "SESSIONS", "TREE_CONNECTS", "OPEN_FILES", "USED", "QUOTA", "WRITE/S", "READ/S"), rows);
      }
      return ExitCodes.OK;
    }
  }
}
