package org.smbgw.agent.reconcile;

import org.smbgw.agent.fs.ShareRoots;
import org.smbgw.agent.samba.NtAcls;
import org.smbgw.agent.samba.Pdbedit;
import org.smbgw.agent.samba.SambaIds;
import org.smbgw.agent.samba.SambaConfig;
import org.smbgw.agent.samba.SmbStatus;
import org.smbgw.agent.users.UnixAccounts;
import org.smbgw.agent.zfs.Zfs;

/** What steps act on. One per agent; used from the reconcile thread only. */
public record Host(Zfs zfs, SambaConfig samba, Pdbedit pdbedit, UnixAccounts accounts, ShareRoots roots,
    SmbStatus smbstatus, SambaIds ids, NtAcls ntAcls) {}
