package org.smbgw.cli;

import java.util.List;
import java.util.concurrent.Callable;
import org.smbgw.proto.v1.CreateAddressRequest;
import org.smbgw.proto.v1.DeleteAddressRequest;
import org.smbgw.proto.v1.DeleteAddressResponse;
import org.smbgw.proto.v1.FloatingAddress;
import org.smbgw.proto.v1.ListAddressesRequest;
import org.smbgw.proto.v1.ListAddressesResponse;
import org.smbgw.proto.v1.MoveAddressRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** {@code smbgw vip ...}: floating addresses. */
@Command(name = "vip", description = "Floating addresses: shares bound to one move with it when its node fails or drains.",
    subcommands = {VipCommands.Create.class, VipCommands.ListCmd.class, VipCommands.Delete.class, VipCommands.Move.class})
final class VipCommands {
  @ParentCommand
  Smbgw root;

  static final List<String> HEADER = List.of("ADDRESS", "NODE", "STATE", "UP", "INTERFACE", "SHARES");

  static List<String> row(FloatingAddress a) {
    String node = a.getNode().isEmpty() ? (a.getMovingTo().isEmpty() ? "-" : "-> " + a.getMovingTo()) : a.getNode();
    return List.of(a.getAddress(), node, a.getState(), a.getUp() ? "yes" : "no",
        a.getInterface().isEmpty() ? "(by subnet)" : a.getInterface(), a.getSharesCount() == 0 ? "-" : String.join(",", a.getSharesList()));
  }

  @Command(name = "create", description = "Create a floating address (CIDR, for example 10.0.0.50/24).")
  static final class Create implements Callable<Integer> {
    @ParentCommand
    VipCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "The address with its prefix length.")
    String address;
    @Option(names = "--interface", description = "Interface to hold it on (default: the one with an address in its subnet).")
    String iface = "";
    @Option(names = "--node", description = "Node to put it on (default: the node holding the fewest).")
    String node = "";

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.createAddress(CreateAddressRequest.newBuilder().setAddress(address)
          .setInterface(iface).setNode(node).build()), HEADER, (FloatingAddress a) -> List.of(row(a)));
    }
  }

  @Command(name = "list", description = "List floating addresses, where they are and whether they are up.")
  static final class ListCmd implements Callable<Integer> {
    @ParentCommand
    VipCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.listAddresses(ListAddressesRequest.getDefaultInstance()), HEADER,
          (ListAddressesResponse r) -> r.getAddressesList().stream().map(VipCommands::row).toList());
    }
  }

  @Command(name = "delete", description = "Delete a floating address no share uses.")
  static final class Delete implements Callable<Integer> {
    @ParentCommand
    VipCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "The address (the prefix length may be left out).")
    String address;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.deleteAddress(DeleteAddressRequest.newBuilder().setAddress(address).build()),
          List.of("ADDRESS", "RESULT"), (DeleteAddressResponse r) -> List.of(List.of(r.getAddress(), "deleted")));
    }
  }

  @Command(name = "move", description = "Move an address and its shares to a node: the holder lets go first, then the node takes it.")
  static final class Move implements Callable<Integer> {
    @ParentCommand
    VipCommands parent;
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;
    @Parameters(index = "0", description = "The address.")
    String address;
    @Parameters(index = "1", description = "Target node.")
    String node;

    @Override
    public Integer call() {
      return parent.root.show(spec, admin -> admin.moveAddress(MoveAddressRequest.newBuilder().setAddress(address)
          .setNode(node).build()), HEADER, (FloatingAddress a) -> List.of(row(a)));
    }
  }
}
