# Reads and writes share roots' Windows ACLs through Samba's own VFS (the same path smbd takes:
# vfs_acl_xattr of the share named), run by the smbgw agent with Debian's python3-samba.
#   ntacl.py SMB_CONF get SHARE PATH [SHARE PATH ...]  -> one JSON object per line (an ACL, or
#     {"path": PATH, "error": TEXT} for a root that could not be read)
#   ntacl.py SMB_CONF set SHARE PATH < JSON
#   ntacl.py SMB_CONF propagate SHARE PATH < {"added": [ACE, ...], "removed": [ACE, ...],
#                                             "adopt": bool}
#     carries a change of PATH's inheritable entries into the inherited copies below it, as
#     Explorer does: objects whose ACL is protected (inheritance blocked) and what lies below them
#     keep theirs. An object with no stored ACL is left as it is, unless "adopt": then it gets the
#     inherited copies (the first ACL of a directory that held files before it was shared).
# An ACL is {"stored": bool, "owner": SID, "group": SID, "control": int,
#            "aces": [{"type": int, "flags": int, "mask": int, "sid": SID}, ...]}.
import json
import os
import sys

from samba.auth_util import system_session_unix
from samba.dcerpc import security
from samba.samba3 import param as s3param
from samba.samba3 import smbd

INFO = security.SECINFO_OWNER | security.SECINFO_GROUP | security.SECINFO_DACL
KEPT_CONTROL = security.SEC_DESC_DACL_PROTECTED | security.SEC_DESC_DACL_AUTO_INHERITED


def main(conf, op, args):
    # Samba's file server configuration only: the AD loader refuses a configuration whose
    # include is not there yet (the agent's, before its first publish), smbd does not.
    s3 = s3param.get_context()
    s3.load(conf)
    session = system_session_unix()
    if op == "get":
        for i in range(0, len(args), 2):
            share, path = args[i], args[i + 1]
            try:
                sd = smbd.get_nt_acl(path, INFO, session, service=share)
            except Exception as e:  # this root only: the others are still read
                print(json.dumps({"path": path, "error": str(e)}))
                continue
            try:
                os.getxattr(path, "security.NTACL")
                stored = True
            except OSError:
                stored = False
            aces = [] if sd.dacl is None else [
                {"type": a.type, "flags": a.flags, "mask": a.access_mask, "sid": str(a.trustee)}
                for a in sd.dacl.aces]
            print(json.dumps({"path": path, "stored": stored, "owner": str(sd.owner_sid),
                              "group": str(sd.group_sid), "control": sd.type, "aces": aces}))
    elif op == "set":
        share, path = args
        d = json.load(sys.stdin)
        sd = security.descriptor()
        sd.owner_sid = security.dom_sid(d["owner"])
        sd.group_sid = security.dom_sid(d["group"])
        for a in d["aces"]:
            ace = security.ace()
            ace.type = a["type"]
            ace.flags = a["flags"]
            ace.access_mask = a["mask"]
            ace.trustee = security.dom_sid(a["sid"])
            sd.dacl_add(ace)
        sd.type = (security.SEC_DESC_SELF_RELATIVE | security.SEC_DESC_DACL_PRESENT
                   | (d.get("control", 0) & KEPT_CONTROL))
        smbd.set_nt_acl(path, INFO, sd, session, service=share)
    elif op == "propagate":
        share, path = args
        d = json.load(sys.stdin)
        propagate(path, d["added"], d["removed"], session, share, d.get("adopt", False))
    else:
        raise SystemExit("unknown operation " + op)


INHERITED = security.SEC_ACE_FLAG_INHERITED_ACE
INHERIT = security.SEC_ACE_FLAG_OBJECT_INHERIT | security.SEC_ACE_FLAG_CONTAINER_INHERIT


def propagate(root, added, removed, session, share, adopt):
    gone = {(a["type"], a["mask"], a["sid"]) for a in removed}
    for dirpath, dirnames, filenames in os.walk(root):
        below = []
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            is_dir = name in dirnames
            if os.path.islink(p):
                continue
            try:
                os.getxattr(p, "security.NTACL", follow_symlinks=False)
                stored = True
            except OSError:
                stored = False
            if not stored and not adopt:
                if is_dir:
                    below.append(name)
                continue
            sd = smbd.get_nt_acl(p, INFO, session, service=share)
            if stored and sd.type & security.SEC_DESC_DACL_PROTECTED:
                continue
            # What Samba shows for an object without a stored ACL was made up from its mode: the
            # adopted object gets the inherited entries only.
            aces = [] if sd.dacl is None or not stored else list(sd.dacl.aces)
            kept = [a for a in aces if not (a.flags & INHERITED and (a.type, a.access_mask, str(a.trustee)) in gone)]
            for a in added:
                have = any(x.flags & INHERITED and x.type == a["type"] and x.access_mask == a["mask"]
                           and str(x.trustee) == a["sid"] for x in kept)
                if not have:
                    ace = security.ace()
                    ace.type = a["type"]
                    ace.flags = INHERITED | (INHERIT if is_dir else 0)
                    ace.access_mask = a["mask"]
                    ace.trustee = security.dom_sid(a["sid"])
                    kept.append(ace)
            if not stored or len(kept) != len(aces) or any(x is not y for x, y in zip(kept, aces)):
                out = security.descriptor()
                out.owner_sid = sd.owner_sid
                out.group_sid = sd.group_sid
                for a in kept:
                    out.dacl_add(a)
                out.type = (security.SEC_DESC_SELF_RELATIVE | security.SEC_DESC_DACL_PRESENT
                            | (sd.type & KEPT_CONTROL))
                smbd.set_nt_acl(p, INFO, out, session, service=share)
            if is_dir:
                below.append(name)
        dirnames[:] = [n for n in dirnames if n in below]


main(sys.argv[1], sys.argv[2], sys.argv[3:])
