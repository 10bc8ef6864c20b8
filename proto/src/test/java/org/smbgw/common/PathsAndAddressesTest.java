package org.smbgw.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PathsAndAddressesTest {
  private static final List<Path> ROOTS = List.of(Path.of("/mnt/pve/cephfs"), Path.of("/srv/smb"));

  private static List<Violation> dir(String path) {
    List<Violation> out = new ArrayList<>();
    Paths.directoryUnderRoots("spec.storage.directory.path", path, ROOTS, out);
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"/srv/smb/team", "/mnt/pve/cephfs/shares/a b"})
  void acceptsPathsUnderRoots(String path) {
    assertEquals(List.of(), dir(path));
  }

  @ParameterizedTest
  @ValueSource(strings = {"/srv/smb/../../etc", "srv/smb/x", "/srv/smb//x", "/srv/smb/x/", "/etc",
      "/srv/smb", "/srv/smbx/y", "/srv/smb/./x", "/srv/smb/a\nb", "/srv/smb/%U", ""})
  void rejectsEscapesAndPathsOutsideRoots(String path) {
    List<Violation> v = dir(path);
    assertEquals(1, v.size(), v.toString());
    assertEquals("spec.storage.directory.path", v.get(0).field());
  }

  @ParameterizedTest
  @ValueSource(strings = {"tank/smb", "rpool/data/smb-shares", "p"})
  void acceptsDatasets(String ds) {
    List<Violation> out = new ArrayList<>();
    Paths.datasetName("parent", ds, out);
    assertEquals(List.of(), out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/tank", "tank/", "tank//smb", "tank/../x", "tank@snap", "tank/a b", "-o"})
  void rejectsBadDatasets(String ds) {
    List<Violation> out = new ArrayList<>();
    Paths.datasetName("parent", ds, out);
    assertEquals(1, out.size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.50/24", "192.168.1.1/32", "fd00::50/64", "2001:db8:0:0:0:0:0:1/128"})
  void acceptsCidrs(String a) {
    List<Violation> out = new ArrayList<>();
    Addresses.cidr("spec.address", a, out);
    assertEquals(List.of(), out);
  }

  @ParameterizedTest
  @ValueSource(strings = {"10.0.0.50", "10.0.0.256/24", "10.0.0.5/33", "10.0.0.5/0", "host/24",
      "fd00:::1/64", "1:2:3:4:5:6:7:8:9/64", "10.0.0.5/24\n"})
  void rejectsBadCidrs(String a) {
    List<Violation> out = new ArrayList<>();
    Addresses.cidr("spec.address", a, out);
    assertEquals(1, out.size());
  }
}
