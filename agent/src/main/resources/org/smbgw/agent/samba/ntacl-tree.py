"""Windows ACLs of a share's tree, read and set through smbd's own VFS stack for the share.

smbgw's agent runs this (python3 -I, as root) to pass a change of a share root's ACL down to
what is inside, as Windows does when a folder's permissions change. It decides nothing: the agent
computes every ACL. A share's users can make links and rename folders while this runs, so no
path is ever looked up by name as it was read: every file is opened one path component at a time
from the root, never following a link (O_PATH | O_NOFOLLOW), checked to be the file that was read
(its inode), read from that open file, and handed to smbd as /proc/self/fd/N to set, which names
that very file whatever happens to its name meanwhile. Paths are relative to the root ("" is the root), written as the hex of
their bytes (a name need not be text). Each run stops after BUDGET seconds and says where to go
on from, so no single program outlives the agent's command timeout.

  dump ROOT SERVICE SMBCONF OUT RESUME BUDGET
      Appends to OUT one JSON line per directory and regular file at and under ROOT, ROOT
      first, depth first (every directory before what it holds): "path", "ino", "up" (the line
      number of its directory; -1 for ROOT), "dir", and "sddl": its ACL, or null where no
      Windows ACL is stored; "error" where it could not be read. Symbolic links, special files,
      other file systems and ZFS's .zfs are left out and never entered. What is left to read is
      kept in RESUME (empty to begin); prints {"done": true|false}.
  set ROOT SERVICE SMBCONF IN START BUDGET RESULT
      Sets, from line START (0 first) of IN ({"path", "ino", "dir", "sddl"} lines), each one's
      DACL (owner and group stay). One gone since is skipped; one that is no longer the same file or folder is
      refused. Writes to RESULT a line {"path", "error"} for each of the first 20 that failed and
      ends with {"failed": N, "next": the line to go on from, or -1 when done}.
"""
import json
import os
import stat
import sys
import time

from samba.dcerpc import security, xattr
from samba.ndr import ndr_unpack
from samba.samba3 import param as s3param
from samba.samba3 import smbd
from samba.auth_util import system_session_unix

# SDDL is written and read against a domain SID no account has, so SIDs always print as numbers.
NO_DOMAIN = security.dom_sid("S-1-5-21-0-0-0")
NTACL_XATTR = "security.NTACL"


class Share:
    """A share's root, and its files opened without following any link."""

    def __init__(self, root, service, smbconf):
        s3param.get_context().load(smbconf)
        self.service = service
        self.session = system_session_unix()
        self.root = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
        self.dev = os.fstat(self.root).st_dev

    def open(self, path):
        """path's file or folder, opened component by component; OSError if any is a link."""
        fd = os.dup(self.root)
        try:
            for name in [n for n in path.split(b"/") if n]:
                nxt = os.open(name, os.O_PATH | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = nxt
                if stat.S_ISLNK(os.fstat(fd).st_mode):
                    raise OSError("a link: never followed")
            return fd
        except BaseException:
            os.close(fd)
            raise

    def acl(self, fd):
        """The ACL smbd stored (vfs_acl_xattr's attribute, as smbd itself reads it with
        "ignore system acls"), or None where there is none."""
        try:
            blob = os.getxattr("/proc/self/fd/%d" % fd, NTACL_XATTR)
        except OSError:
            return None
        stored = ndr_unpack(xattr.NTACL, blob)
        sd = stored.info if stored.version == 1 else stored.info.sd
        return sd.as_sddl(NO_DOMAIN)

    def set_dacl(self, fd, is_dir, sddl):
        """Through smbd's VFS stack for the share. smbd follows the last component of a path, so
        /proc/self/fd/N (a folder's /proc/self/fd/N/.) reaches exactly the file opened."""
        sd = security.descriptor.from_sddl(sddl, NO_DOMAIN)
        name = "/proc/self/fd/%d%s" % (fd, "/." if is_dir else "")
        smbd.set_nt_acl(name, security.SECINFO_DACL, sd, self.session, service=self.service)


def dump(root, service, smbconf, out_path, resume_path, budget):
    share = Share(root, service, smbconf)
    with open(resume_path) as resume:
        state = resume.read()
    if state:
        state = json.loads(state)
        line = state["line"]
        pending = [(bytes.fromhex(p), up, d) for p, up, d in state["pending"]]
    else:
        line = 0
        pending = [(b"", -1, True)]
    until = time.monotonic() + budget
    first = True
    with open(out_path, "a") as out:
        while pending and (first or time.monotonic() < until):  # at least one each run
            first = False
            path, up, is_dir = pending.pop()
            try:
                fd = share.open(path)
            except OSError:
                continue  # gone, or replaced by a link, since its folder was listed
            children = []
            try:
                st = os.fstat(fd)
                if stat.S_ISDIR(st.st_mode) != is_dir or st.st_dev != share.dev:
                    continue  # replaced meanwhile
                record = {"path": path.hex(), "ino": st.st_ino, "up": up, "dir": is_dir, "sddl": None}
                try:
                    record["sddl"] = share.acl(fd)
                    if is_dir:
                        children = listing(fd, path, share.dev)
                except Exception as e:  # one unreadable file must not hide the others
                    record["error"] = str(e)
            finally:
                os.close(fd)
            out.write(json.dumps(record) + "\n")
            pending.extend((child, line, d) for child, d in reversed(children))
            line += 1
    with open(resume_path, "w") as resume:
        if pending:
            resume.write(json.dumps({"line": line, "pending": [[p.hex(), up, d] for p, up, d in pending]}))
    print(json.dumps({"done": not pending}))


def listing(fd, path, dev):
    """The folders and regular files in an open folder: no links, nothing on another file
    system, and not ZFS's .zfs at the root."""
    out = []
    for name in sorted(os.listdir("/proc/self/fd/%d" % fd)):
        if not path and name == ".zfs":
            continue
        try:
            st = os.stat(name, dir_fd=fd, follow_symlinks=False)
        except OSError:
            continue  # gone meanwhile
        if st.st_dev != dev:
            continue
        if stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode):
            out.append((path + b"/" + os.fsencode(name), stat.S_ISDIR(st.st_mode)))
    return out


def set_all(root, service, smbconf, in_path, start, budget, result_path):
    share = Share(root, service, smbconf)
    failed = 0
    nxt = -1
    until = time.monotonic() + budget
    with open(in_path) as changes, open(result_path, "w") as result:
        def fail(path, why):
            nonlocal failed
            failed += 1
            if failed <= 20:
                result.write(json.dumps({"path": path, "error": why}) + "\n")

        for at, text in enumerate(changes):
            if at < start or not text.strip():
                continue
            if at > start and time.monotonic() >= until:  # at least one each run
                nxt = at
                break
            change = json.loads(text)
            try:
                fd = share.open(bytes.fromhex(change["path"]))
            except FileNotFoundError:
                continue  # gone since it was read: nothing inherits there any more
            except OSError as e:
                fail(change["path"], "cannot be opened without following a link: " + str(e))
                continue
            try:
                st = os.fstat(fd)
                if st.st_ino != change["ino"] or stat.S_ISDIR(st.st_mode) != change["dir"]:
                    fail(change["path"], "no longer the file or folder that was read (renamed or replaced meanwhile)")
                    continue
                share.set_dacl(fd, change["dir"], change["sddl"])
            except Exception as e:
                fail(change["path"], str(e))
            finally:
                os.close(fd)
        result.write(json.dumps({"failed": failed, "next": nxt}) + "\n")


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 8 and a[1] == "dump":
        dump(a[2], a[3], a[4], a[5], a[6], float(a[7]))
    elif len(a) == 9 and a[1] == "set":
        set_all(a[2], a[3], a[4], a[5], int(a[6]), float(a[7]), a[8])
    else:
        sys.exit("usage: ntacl-tree.py dump ROOT SERVICE SMBCONF OUT RESUME BUDGET"
                 " | set ROOT SERVICE SMBCONF IN START BUDGET RESULT")
