/**
 * Samba: the one generated include file (rendered purely, validated with testparm, renamed into
 * place, then smbd reloaded), Samba accounts through pdbedit, and the sandboxed smbd the agent
 * supervises in demos and tests.
 */
package org.smbgw.agent.samba;
