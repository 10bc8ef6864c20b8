"""Windows ACLs of a share's tree, read and set through smbd's own VFS stack for the share.

smbgw's agent runs this with the system's python3 (it needs Samba's Python bindings) to pass a
change of a share root's ACL down to what is inside, as Windows does when a folder's permissions
change. It decides nothing: the agent computes every ACL.

  dump ROOT SERVICE SMBCONF OUT
      Writes to OUT one JSON line per directory and regular file at and under ROOT, ROOT first,
      depth first (every directory before what it holds); symbolic links and special files are
      left out and never followed. Each line: "path" (hex of the path's bytes), "up" (the line number of its
      directory; -1 for ROOT), "dir", and "sddl": its ACL, or null where no Windows ACL is
      stored, or "error" where it could not be read.
  set SERVICE SMBCONF IN
      Reads JSON lines {"path": hex, "sddl": ...} from IN and sets each one's DACL (owner and
      group stay). One gone since is skipped; one that is now a link is refused. Prints a JSON
      line {"path", "error"} for each of the first 20 that failed, goes on, and ends with
      {"failed": N}.
"""
import json
import os
import stat
import sys

from samba.dcerpc import security
from samba.samba3 import param as s3param
from samba.samba3 import smbd
from samba.auth_util import system_session_unix

# SDDL is written and read against a domain SID no account has, so SIDs always print as numbers.
NO_DOMAIN = security.dom_sid("S-1-5-21-0-0-0")
NTACL_XATTR = "security.NTACL"


def load(smbconf):
    conf = s3param.get_context()
    conf.load(smbconf)


def acl_of(path, service, session):
    try:
        os.getxattr(path, NTACL_XATTR, follow_symlinks=False)
    except OSError:
        return None
    sd = smbd.get_nt_acl(os.fsdecode(path), security.SECINFO_OWNER | security.SECINFO_GROUP
                         | security.SECINFO_DACL, session, service=service)
    return sd.as_sddl(NO_DOMAIN)


def dump(root, service, smbconf, out):
    load(smbconf)
    session = system_session_unix()
    pending = [(os.fsencode(root), -1, True)]
    line = 0
    while pending:
        path, up, is_dir = pending.pop()
        record = {"path": path.hex(), "up": up, "dir": is_dir}
        names = []
        try:
            record["sddl"] = acl_of(path, service, session)
            if is_dir:
                names = sorted(os.listdir(path), reverse=True)
        except Exception as e:  # one unreadable file must not hide the others
            record["error"] = str(e)
        record.setdefault("sddl", None)
        out.write(json.dumps(record) + "\n")
        mine = line
        line += 1
        for name in names:
            child = os.path.join(path, name)
            try:
                st = os.lstat(child)
            except OSError:
                continue  # gone meanwhile
            if stat.S_ISDIR(st.st_mode):
                pending.append((child, mine, True))
            elif stat.S_ISREG(st.st_mode):
                pending.append((child, mine, False))


def set_all(service, smbconf, changes):
    load(smbconf)
    session = system_session_unix()
    failed = 0

    def fail(path, why):
        nonlocal failed
        failed += 1
        if failed <= 20:
            sys.stdout.write(json.dumps({"path": path, "error": why}) + "\n")

    for text in changes:
        if not text.strip():
            continue
        change = json.loads(text)
        path = os.fsdecode(bytes.fromhex(change["path"]))
        try:
            st = os.lstat(path)
        except FileNotFoundError:
            continue  # gone since it was read: nothing inherits there any more
        if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode)):
            # Replaced by a link since it was read: never follow it out of the share.
            fail(change["path"], "no longer a file or folder")
            continue
        try:
            sd = security.descriptor.from_sddl(change["sddl"], NO_DOMAIN)
            smbd.set_nt_acl(path, security.SECINFO_DACL, sd, session, service=service)
        except Exception as e:
            fail(change["path"], str(e))
    sys.stdout.write(json.dumps({"failed": failed}) + "\n")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "dump":
        with open(sys.argv[5], "w") as out:
            dump(sys.argv[2], sys.argv[3], sys.argv[4], out)
    elif len(sys.argv) == 5 and sys.argv[1] == "set":
        with open(sys.argv[4]) as changes:
            set_all(sys.argv[2], sys.argv[3], changes)
    else:
        sys.exit("usage: ntacl-tree.py dump ROOT SERVICE SMBCONF OUT | set SERVICE SMBCONF IN")
