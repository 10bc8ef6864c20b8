"""Windows ACLs of a share's tree, read and set through smbd's own VFS stack for the share.

smbgw's agent runs this (python3 -I, as root) to pass a change of a share root's ACL down to
what is inside, as Windows does when a folder's permissions change. It decides nothing: the agent
computes every ACL. A share's users can make links, rename and replace things while this runs,
so nothing is taken on trust from a name:
  - every file is opened one path component at a time from the root, never following a link
    (O_PATH | O_NOFOLLOW), and must be found in the very folder that was listed (its inode): a
    folder swapped for another meanwhile does not pass its ACL to the other's files;
  - its ACL is read from that open file, and set through smbd as /proc/self/fd/N, which names
    that very file whatever happens to its name;
  - an ACL is set only if the file still has the ACL it was computed from (a hash of the stored
    attribute): one changed meanwhile, or a new file on a reused inode, is left and counted as
    missed, and the agent passes the change down again.
Paths are relative to the root ("" is the root), written as the hex of their bytes (a name need
not be text). Each run stops after BUDGET seconds (having done at least one thing), so no single
program outlives the agent's command timeout, and says where to go on from.

  dump ROOT SERVICE SMBCONF OUT RESUME BUDGET
      Writes to OUT (replacing it) one JSON line per directory and regular file read, ROOT first,
      depth first (every directory before what it holds), numbered on from earlier runs: "path",
      "ino", "pino" (its directory's inode), "up" (the number of its directory's line; -1 for
      ROOT), "dir", "hash" of its stored ACL, and "sddl": its ACL, or null where no Windows ACL is
      stored; "error" where it could not be read. Symbolic links, special files, other file
      systems and ZFS's .zfs are left out and never entered. What is left to read is kept in
      RESUME (empty to begin). Prints {"done", "read": lines written, "missed": files that were
      listed but were gone or elsewhere when read}.
  set ROOT SERVICE SMBCONF IN START BUDGET RESULT
      Sets, from line START (0 first) of IN (lines of "path", "ino", "pino", "dir", "hash",
      "sddl"), each one's DACL (owner and group stay). Writes to RESULT a line {"path", "error"}
      for each of the first 20 that failed, then {"failed", "missed", "next": the line to go on
      from, or -1 when done}.
  roots-get SMBCONF IN OUT
      For each line {"root", "service"} of IN, writes to OUT {"root", "hash", "sddl"} (null where
      no ACL is stored) or {"root", "error"}: many share roots in one run.
  roots-set SMBCONF IN OUT
      For each line {"root", "service", "sddl", "expect"} of IN, sets the root's owner, group and
      DACL, unless its stored ACL no longer hashes as "expect" (when given; null: none stored),
      and writes to OUT {"root", "error"} (null when it was set).
"""
import errno
import hashlib
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


class Moved(Exception):
    """Not in the folder it was listed in, or not what it was."""


class Share:
    """A share's root, and its files opened without following any link."""

    def __init__(self, root, service, smbconf=None, session=None):
        if smbconf is not None:
            s3param.get_context().load(smbconf)
        self.service = service
        self.session = session or system_session_unix()
        self.root = os.open(root, os.O_PATH | os.O_DIRECTORY | os.O_NOFOLLOW)
        self.dev = os.fstat(self.root).st_dev

    def open(self, path, pino, is_dir):
        """path's file or folder, opened component by component without following a link, found
        in the folder whose inode is pino (None for the root), and of the kind expected.
        Raises FileNotFoundError if gone, Moved if elsewhere or replaced, OSError otherwise."""
        fd = os.dup(self.root)
        try:
            names = [n for n in path.split(b"/") if n]
            for i, name in enumerate(names):
                if i == len(names) - 1 and os.fstat(fd).st_ino != pino:
                    raise Moved("its folder is no longer the one it was listed in")
                nxt = os.open(name, os.O_PATH | os.O_NOFOLLOW, dir_fd=fd)
                os.close(fd)
                fd = nxt
            st = os.fstat(fd)
            if stat.S_ISLNK(st.st_mode) or st.st_dev != self.dev or (
                    not stat.S_ISDIR(st.st_mode) if is_dir else not stat.S_ISREG(st.st_mode)):
                raise Moved("replaced by a link or something else")
            return fd
        except BaseException:
            os.close(fd)
            raise

    @staticmethod
    def stored(fd):
        """The attribute smbd stores an ACL in (vfs_acl_xattr), or None where there is none; any
        other failure to read it is raised, never taken for "none"."""
        try:
            return os.getxattr("/proc/self/fd/%d" % fd, NTACL_XATTR)
        except OSError as e:
            if e.errno in (errno.ENODATA, errno.ENOTSUP):
                return None
            raise

    @staticmethod
    def acl(blob):
        """The ACL in a stored attribute, as smbd itself reads it with "ignore system acls"."""
        stored = ndr_unpack(xattr.NTACL, blob)
        sd = stored.info if stored.version == 1 else stored.info.sd
        return sd.as_sddl(NO_DOMAIN)

    def set_dacl(self, fd, is_dir, sddl, what=security.SECINFO_DACL):
        """Through smbd's VFS stack for the share. smbd follows the last component of a path, so
        /proc/self/fd/N (a folder's /proc/self/fd/N/.) reaches exactly the file opened."""
        sd = security.descriptor.from_sddl(sddl, NO_DOMAIN)
        name = "/proc/self/fd/%d%s" % (fd, "/." if is_dir else "")
        smbd.set_nt_acl(name, what, sd, self.session, service=self.service)


def digest(blob):
    return None if blob is None else hashlib.sha256(blob).hexdigest()


def dump(root, service, smbconf, out_path, resume_path, budget):
    share = Share(root, service, smbconf)
    with open(resume_path) as resume:
        state = resume.read()
    if state:
        state = json.loads(state)
        line = state["line"]
        pending = [(bytes.fromhex(p), pino, up, d) for p, pino, up, d in state["pending"]]
    else:
        line = 0
        pending = [(b"", None, -1, True)]
    until = time.monotonic() + budget
    read = missed = 0
    with open(out_path, "w") as out:
        while pending and (read + missed == 0 or time.monotonic() < until):
            path, pino, up, is_dir = pending.pop()
            try:
                fd = share.open(path, pino, is_dir)
            except (OSError, Moved):
                missed += 1  # gone, moved or replaced since its folder was listed
                continue
            children = []
            try:
                st = os.fstat(fd)
                record = {"path": path.hex(), "ino": st.st_ino, "pino": pino, "up": up, "dir": is_dir,
                          "hash": None, "sddl": None}
                try:
                    blob = share.stored(fd)
                    if blob is not None:
                        record["hash"] = digest(blob)
                        record["sddl"] = share.acl(blob)
                    if is_dir:
                        children = listing(fd, path, share.dev)
                except Exception as e:  # one unreadable file must not hide the others
                    record["error"] = str(e)
            finally:
                os.close(fd)
            out.write(json.dumps(record) + "\n")
            read += 1
            pending.extend((child, st.st_ino, line, d) for child, d in reversed(children))
            line += 1
    with open(resume_path, "w") as resume:
        if pending:
            resume.write(json.dumps({"line": line, "pending": [[p.hex(), pino, up, d]
                                                               for p, pino, up, d in pending]}))
    print(json.dumps({"done": not pending, "read": read, "missed": missed}))


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
    failed = missed = 0
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
                fd = share.open(bytes.fromhex(change["path"]), change["pino"], change["dir"])
            except (FileNotFoundError, Moved):
                missed += 1
                continue
            except OSError as e:
                fail(change["path"], "cannot be opened without following a link: " + str(e))
                continue
            try:
                if os.fstat(fd).st_ino != change["ino"] or digest(share.stored(fd)) != change["hash"]:
                    missed += 1  # another file now, or its ACL changed since it was read
                    continue
                share.set_dacl(fd, change["dir"], change["sddl"])
            except Exception as e:
                fail(change["path"], str(e))
            finally:
                os.close(fd)
        result.write(json.dumps({"failed": failed, "missed": missed, "next": nxt}) + "\n")


def roots(mode, smbconf, in_path, out_path):
    s3param.get_context().load(smbconf)
    session = system_session_unix()  # one for every root of the run
    with open(in_path, encoding="utf-8") as requests, open(out_path, "w", encoding="utf-8") as out:
        for text in requests:
            if not text.strip():
                continue
            r = json.loads(text)
            answer = {"root": r["root"], "error": None}
            try:
                share = Share(r["root"], r["service"], session=session)
                try:
                    fd = share.open(b"", None, True)
                    try:
                        blob = share.stored(fd)
                        if mode == "get":
                            answer["hash"] = digest(blob)
                            answer["sddl"] = None if blob is None else share.acl(blob)
                        elif "expect" in r and digest(blob) != r["expect"]:
                            answer["error"] = "its ACL changed since it was read: set again next pass"
                        else:
                            share.set_dacl(fd, True, r["sddl"], security.SECINFO_OWNER | security.SECINFO_GROUP
                                           | security.SECINFO_DACL)
                    finally:
                        os.close(fd)
                finally:
                    os.close(share.root)
            except Exception as e:
                answer["error"] = str(e) or type(e).__name__
            out.write(json.dumps(answer) + "\n")


if __name__ == "__main__":
    a = sys.argv
    if len(a) == 8 and a[1] == "dump":
        dump(a[2], a[3], a[4], a[5], a[6], float(a[7]))
    elif len(a) == 9 and a[1] == "set":
        set_all(a[2], a[3], a[4], a[5], int(a[6]), float(a[7]), a[8])
    elif len(a) == 5 and a[1] in ("roots-get", "roots-set"):
        roots(a[1][len("roots-"):], a[2], a[3], a[4])
    else:
        sys.exit("usage: ntacl-tree.py dump ROOT SERVICE SMBCONF OUT RESUME BUDGET"
                 " | set ROOT SERVICE SMBCONF IN START BUDGET RESULT | roots-get|roots-set SMBCONF IN OUT")
