package org.smbgw.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.smbgw.proto.v1.ListNodesResponse;
import org.smbgw.proto.v1.Node;
import org.smbgw.proto.v1.NodeInventory;

/** {@code smbgw node show}: one node, with where its agent hooked into smb.conf; an unknown name is NOT_FOUND. */
class NodeShowTest {
  private static final String HOOK = "/etc/samba/smb.conf: globals /etc/samba/smbgw-shares.global.conf at line 3";
  private static final ListNodesResponse NODES = ListNodesResponse.newBuilder()
      .addNodes(Node.newBuilder().setName("pve1").setConnected(true)
          .setInventory(NodeInventory.newBuilder().setSambaVersion("4.17.12-Debian").setSambaHook(HOOK)))
      .addNodes(Node.newBuilder().setName("pve2").addErrors("smbd is not running")).build();

  @Test
  void theHookTheAgentReportedIsShown() {
    List<List<String>> rows = NodeCommands.details(NodeCommands.one(NODES, "pve1"));
    assertTrue(rows.contains(List.of("SMB.CONF", HOOK)), rows.toString());
    assertTrue(rows.contains(List.of("NAME", "pve1")), rows.toString());
    List<List<String>> other = NodeCommands.details(NodeCommands.one(NODES, "pve2"));
    assertTrue(other.contains(List.of("SMB.CONF", "(not reported yet)")), other.toString());
    assertTrue(other.contains(List.of("ERROR", "smbd is not running")), other.toString());
  }

  @Test
  void anUnknownNodeIsNotFound() {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> NodeCommands.one(NODES, "pve3"));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
  }
}
