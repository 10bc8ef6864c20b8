package org.smbgw.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import io.grpc.Status;
import org.smbgw.common.Sizes;
import org.smbgw.proto.v1.ConfirmRemovalRequest;
import org.smbgw.proto.v1.ConfirmRemovalResponse;
import org.smbgw.proto.v1.DrainNodeRequest;
import org.smbgw.proto.v1.DrainNodeResponse;
import org.smbgw.proto.v1.ListNodesRequest;
import org.smbgw.proto.v1.ListNodesResponse;
import org.smbgw.proto.v1.Node;
import org.smbgw.proto.v1.StorageOffer;
import org.smbgw.proto.v1.UndrainNodeRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw node ...} */
@Command(name = "node", description = "List and show nodes; put them in and out of maintenance; confirm what they lost.",
    subcommands = {NodeCommands.ListCmd.class, NodeCommands.Show.class, NodeCommands.Drain.class,
        NodeCommands.Undrain.class, NodeCommands.ConfirmRemoval.class})
final class NodeCommands {
  @ParentCommand
  Smbgw root;

  static List<String> row(Node n) {
    List<String> storages = new ArrayList<>();
    for (StorageOffer o : n.getInventory().getStoragesList()) {
      storages.add(o.getId() + "(" + Sizes.format(o.getFreeBytes() / (1L << 20) * (1L << 20)) + " free)");
    }
    List<String> kept = new ArrayList<>();
    if (!n.getForeignCluster().isEmpty()) {
      kept.add("refuses this cluster (belongs to " + n.getForeignCluster() + ")");
    }
    kept.addAll(n.getLossesList());
    return List.of(n.getName(), n.getConnected() ? "connected" : "disconnected",
        n.getMaintenance() ? "maintenance" : "-", n.getLeaseAgeMillis() + " ms ago", Integer.toString(n.getShares()),
        String.join(" ", storages), kept.isEmpty() ? "-" : String.join(", ", kept));
  }

  static final List<String> HEADER = List.of("NAME", "AGENT", "MAINTENANCE", "LEASE RENEWED", "SHARES", "STORAGE",
      "KEPT (CONFIRM-REMOVAL)");

  @Command(name = "list", description = "List the nodes the cluster knows.")
  static final class ListCmd implements Callable<Integer> {
    @ParentCommand
    NodeCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.listNodes(ListNodesRequest.getDefaultInstance()), HEADER,
          (ListNodesResponse r) -> r.getNodesList().stream().map(NodeCommands::row).toList());
    }
  }

  @Command(name = "show", description = "Show one node: its agent, storage, errors and where it hooked into smb.conf.")
  static final class Show implements Callable<Integer> {
    @ParentCommand
    NodeCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Node name.")
    String name;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> one(admin.listNodes(ListNodesRequest.getDefaultInstance()), name),
          List.of("FIELD", "VALUE"), NodeCommands::details);
    }
  }

  /** The node named {@code name} among those listed; NOT_FOUND (exit code as for any lookup) when none is. */
  static Node one(ListNodesResponse all, String name) {
    return all.getNodesList().stream().filter(n -> n.getName().equals(name)).findFirst()
        .orElseThrow(() -> Status.NOT_FOUND.withDescription("no node named " + name).asRuntimeException());
  }

  static List<List<String>> details(Node n) {
    List<String> row = row(n);
    List<List<String>> out = new ArrayList<>();
    for (int i = 0; i < HEADER.size(); i++) {
      out.add(List.of(HEADER.get(i), row.get(i)));
    }
    out.add(List.of("SAMBA", n.getInventory().getSambaVersion()));
    out.add(List.of("SMB.CONF", n.getInventory().getSambaHook().isEmpty() ? "(not reported yet)" : n.getInventory().getSambaHook()));
    out.add(List.of("ZFS", n.getInventory().getZfsProperties().isEmpty() ? "(not reported yet)"
        : n.getInventory().getZfsProperties()));
    n.getErrorsList().forEach(e -> out.add(List.of("ERROR", e)));
    return out;
  }

  @Command(name = "drain", description = "Put a node in maintenance and move off what can move.")
  static final class Drain implements Callable<Integer> {
    @ParentCommand
    NodeCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Node name.")
    String name;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.drainNode(DrainNodeRequest.newBuilder().setName(name).build()),
          List.of("SHARE", "RESULT"), (DrainNodeResponse r) -> {
            List<List<String>> rows = new ArrayList<>();
            r.getMovedMap().forEach((share, to) -> rows.add(List.of(share, "moved to " + to)));
            r.getStuckMap().forEach((share, why) -> rows.add(List.of(share, "stays: " + why)));
            return rows;
          });
    }
  }

  @Command(name = "undrain", description = "Take a node out of maintenance (nothing moves back by itself).")
  static final class Undrain implements Callable<Integer> {
    @ParentCommand
    NodeCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Node name.")
    String name;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.undrainNode(UndrainNodeRequest.newBuilder().setName(name).build()),
          HEADER, (Node n) -> List.of(row(n)));
    }
  }

  @Command(name = "confirm-removal", description = {
      "Let a node remove what it keeps serving as losses: shares and accounts missing from its desired state "
          + "without a delete, move or drain that meant it (a znode deleted by hand, ZooKeeper rebuilt from nothing). "
          + "A node that belongs to another cluster (ZooKeeper rebuilt) is first let join this one, removing nothing; "
          + "what it then keeps is confirmed with a second call. Confirms what the node reports now (or only the "
          + "subjects named), nothing it reports later. A confirmed share is unpublished and its data kept."})
  static final class ConfirmRemoval implements Callable<Integer> {
    @ParentCommand
    NodeCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "Node name.")
    String name;
    @Parameters(index = "1..*", arity = "0..*", description = "Only these of what it reports (share/NAME, user/NAME).")
    List<String> only = new ArrayList<>();

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.confirmRemoval(ConfirmRemovalRequest.newBuilder().setName(name)
              .addAllOnly(only).build()),
          List.of("NODE", "CONFIRMED"), (ConfirmRemovalResponse r) -> {
            List<List<String>> rows = new ArrayList<>();
            if (r.getAdopt()) {
              rows.add(List.of(r.getNode(), "joins this cluster"));
            }
            r.getRemovalsList().forEach(x -> rows.add(List.of(r.getNode(), "removes " + x)));
            return rows;
          });
    }
  }
}
