//! Syscall handlers: identity family — process, group and session ids,
//! user and group ids and credentials, umask. System names and facts are in
//! `system.rs`, resource limits in `rlimit.rs`, prctl and the robust futex
//! list in `prctl.rs`, CPU affinity in `sched.rs`.
//!
//! Capabilities: a task whose effective uid is 0 has all of them, any other
//! task none (which is what Linux gives a root process without file
//! capabilities or keepcaps). Transitions follow that model: `seteuid(1000)`
//! from root drops every capability, `seteuid(0)` while the real or saved uid
//! is still 0 regains them.

use super::{Support, SysResult, Table};
use crate::kernel::task::{Creds, Task};

use syscalls::{nr, Errno};

pub(super) const CAPS_NOTE: &str =
    "privilege checks: euid 0 has every capability; the capget sets follow Linux's setuid rules";

pub fn register(t: &mut Table) {
    let full = Support::Full;
    t.set(nr::GETPID, sys_getpid, full);
    t.set(nr::GETTID, sys_gettid, full);
    t.set(nr::GETPPID, sys_getppid, full);
    let groups = Support::Full;
    t.set(nr::GETPGID, sys_getpgid, groups);
    t.set(nr::GETPGRP, sys_getpgrp, groups);
    t.set(nr::GETSID, sys_getsid, groups);
    t.set(nr::SETPGID, sys_setpgid, groups);
    t.set(nr::SETSID, sys_setsid, groups);
    t.set(nr::GETUID, sys_getuid, full);
    t.set(nr::GETEUID, sys_geteuid, full);
    t.set(nr::GETGID, sys_getgid, full);
    t.set(nr::GETEGID, sys_getegid, full);
    t.set(nr::GETRESUID, sys_getresuid, full);
    t.set(nr::GETRESGID, sys_getresgid, full);
    t.set(nr::GETGROUPS, sys_getgroups, full);
    let caps = Support::Partial(CAPS_NOTE);
    t.set(nr::SETUID, sys_setuid, caps);
    t.set(nr::SETGID, sys_setgid, caps);
    t.set(nr::SETREUID, sys_setreuid, caps);
    t.set(nr::SETREGID, sys_setregid, caps);
    t.set(nr::SETRESUID, sys_setresuid, caps);
    t.set(nr::SETRESGID, sys_setresgid, caps);
    t.set(nr::SETFSUID, sys_setfsuid, caps);
    t.set(nr::SETFSGID, sys_setfsgid, caps);
    t.set(nr::SETGROUPS, sys_setgroups, caps);
    t.set(nr::UMASK, sys_umask, full);
}

/// Whether the task has the capabilities a credential or resource change
/// needs (see the module comment).
pub fn capable(t: &Task) -> bool {
    t.creds.euid == 0
}

/// Whether `pid` names the calling thread group (0 = self).
pub(super) fn is_self_pid(t: &Task, pid: i32) -> bool {
    pid == 0 || pid == t.tgid || pid == t.tid
}

/// The process group of the calling process.
pub fn pgid(t: &Task) -> i32 {
    t.k.procs.pgid_sid(t.tgid).map(|(g, _)| g).unwrap_or(t.tgid)
}

/// The session of the calling process.
pub fn sid(t: &Task) -> i32 {
    t.k.procs.pgid_sid(t.tgid).map(|(_, s)| s).unwrap_or(t.tgid)
}

/// getpgid/getsid target: 0 is the caller; a thread id names its process.
fn target_pid(t: &Task, pid: i32) -> Result<i32, Errno> {
    match pid {
        0 => Ok(t.tgid),
        p if p < 0 => Err(Errno::ESRCH),
        p => Ok(t.k.tasks.get(p).map(|x| x.tgid).unwrap_or(p)),
    }
}

fn sys_getpgid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let pid = target_pid(t, a[0] as i32)?;
    let (g, _) = t.k.procs.pgid_sid(pid).ok_or(Errno::ESRCH)?;
    Ok(g as u64)
}

fn sys_getpgrp(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(pgid(t) as u64)
}

fn sys_getsid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let pid = target_pid(t, a[0] as i32)?;
    let (_, s) = t.k.procs.pgid_sid(pid).ok_or(Errno::ESRCH)?;
    Ok(s as u64)
}

fn sys_setpgid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    t.k.procs.setpgid(t.tgid, a[0] as i32, a[1] as i32)?;
    Ok(0)
}

fn sys_setsid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(t.k.procs.setsid(t.tgid)? as u64)
}

fn sys_getpid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(t.tgid as u64)
}

fn sys_gettid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(t.tid as u64)
}

fn sys_getppid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    // The current parent: orphans are reparented to init or a subreaper.
    Ok(t.k.procs.parent_of(t.tgid) as u64)
}

fn sys_getuid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(u64::from(t.creds.ruid))
}

fn sys_geteuid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(u64::from(t.creds.euid))
}

fn sys_getgid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(u64::from(t.creds.rgid))
}

fn sys_getegid(t: &mut Task, _a: &[u64; 6]) -> SysResult {
    Ok(u64::from(t.creds.egid))
}

/// getresuid/getresgid: three `put_user`s in order, stopping at the first
/// fault like Linux.
fn put_three(t: &Task, ptrs: [u64; 3], vals: [u32; 3]) -> SysResult {
    for (p, v) in ptrs.iter().zip(vals) {
        t.mm.write_obj(*p, &v)?;
    }
    Ok(0)
}

fn sys_getresuid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let c = &t.creds;
    put_three(t, [a[0], a[1], a[2]], [c.ruid, c.euid, c.suid])
}

fn sys_getresgid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let c = &t.creds;
    put_three(t, [a[0], a[1], a[2]], [c.rgid, c.egid, c.sgid])
}

fn sys_getgroups(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let size = a[0] as i32;
    if size < 0 {
        return Err(Errno::EINVAL);
    }
    let n = t.creds.groups.len();
    if size != 0 {
        if n > size as usize {
            return Err(Errno::EINVAL);
        }
        t.mm.copy_out(a[1], syscalls::slice_as_bytes(&t.creds.groups))?;
    }
    Ok(n as u64)
}

/// Linux's NGROUPS_MAX.
const NGROUPS_MAX: u32 = 65536;

fn sys_setgroups(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if !capable(t) {
        return Err(Errno::EPERM);
    }
    let size = a[0] as i32 as u32;
    if size > NGROUPS_MAX {
        return Err(Errno::EINVAL);
    }
    let bytes = t.mm.read_bytes(a[1], size as usize * 4)?;
    let mut groups: Vec<u32> = syscalls::slice_from_bytes(&bytes);
    // Linux keeps the list sorted (getgroups shows the sorted order).
    groups.sort_unstable();
    let mut new = t.creds.clone();
    new.groups = groups;
    commit_creds(t, new);
    Ok(0)
}

/// One family of ids (user or group): real, effective, saved, filesystem.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ids {
    pub r: u32,
    pub e: u32,
    pub s: u32,
    pub fs: u32,
}

/// `(uid_t)-1`: "leave unchanged" for setre*/setres*, invalid for set*id.
const NO_ID: u32 = u32::MAX;

/// setuid/setgid: with the capability all of real, saved, effective and fs
/// change; without it, only effective and fs, to the real or saved id.
pub fn set_id(old: Ids, cap: bool, id: u32) -> Result<Ids, Errno> {
    if id == NO_ID {
        return Err(Errno::EINVAL);
    }
    let mut new = old;
    if cap {
        new.r = id;
        new.s = id;
    } else if id != old.r && id != old.s {
        return Err(Errno::EPERM);
    }
    new.e = id;
    new.fs = id;
    Ok(new)
}

/// setreuid/setregid.
pub fn set_re_id(old: Ids, cap: bool, r: u32, e: u32) -> Result<Ids, Errno> {
    let mut new = old;
    if r != NO_ID {
        new.r = r;
        if r != old.r && r != old.e && !cap {
            return Err(Errno::EPERM);
        }
    }
    if e != NO_ID {
        new.e = e;
        if e != old.r && e != old.e && e != old.s && !cap {
            return Err(Errno::EPERM);
        }
    }
    if r != NO_ID || (e != NO_ID && e != old.r) {
        new.s = new.e;
    }
    new.fs = new.e;
    Ok(new)
}

/// setresuid/setresgid.
pub fn set_res_id(old: Ids, cap: bool, r: u32, e: u32, s: u32) -> Result<Ids, Errno> {
    let unchanged = (r == NO_ID || r == old.r)
        && (e == NO_ID || (e == old.e && e == old.fs))
        && (s == NO_ID || s == old.s);
    if unchanged {
        return Ok(old);
    }
    let is_new = |v: u32| v != NO_ID && v != old.r && v != old.e && v != old.s;
    if (is_new(r) || is_new(e) || is_new(s)) && !cap {
        return Err(Errno::EPERM);
    }
    let mut new = old;
    if r != NO_ID {
        new.r = r;
    }
    if e != NO_ID {
        new.e = e;
    }
    if s != NO_ID {
        new.s = s;
    }
    new.fs = new.e;
    Ok(new)
}

/// setfsuid/setfsgid: the new ids (unchanged when not allowed); the call
/// always returns the previous fs id.
pub fn set_fs_id(old: Ids, cap: bool, id: u32) -> Ids {
    let mut new = old;
    if id != NO_ID && (id == old.r || id == old.e || id == old.s || id == old.fs || cap) {
        new.fs = id;
    }
    new
}

fn uids(c: &Creds) -> Ids {
    Ids {
        r: c.ruid,
        e: c.euid,
        s: c.suid,
        fs: c.fsuid,
    }
}

fn gids(c: &Creds) -> Ids {
    Ids {
        r: c.rgid,
        e: c.egid,
        s: c.sgid,
        fs: c.fsgid,
    }
}

fn with_uids(c: &Creds, i: Ids) -> Creds {
    Creds {
        ruid: i.r,
        euid: i.e,
        suid: i.s,
        fsuid: i.fs,
        ..c.clone()
    }
}

fn with_gids(c: &Creds, i: Ids) -> Creds {
    Creds {
        rgid: i.r,
        egid: i.e,
        sgid: i.s,
        fsgid: i.fs,
        ..c.clone()
    }
}

/// Install new credentials. As Linux's commit_creds: a change of effective
/// or fs ids makes the process non-dumpable (`suid_dumpable` is 0) and
/// clears the parent-death signal.
fn commit_creds(t: &mut Task, new: Creds) {
    let old = &t.creds;
    if old.euid != new.euid
        || old.egid != new.egid
        || old.fsuid != new.fsuid
        || old.fsgid != new.fsgid
    {
        t.extras.dumpable = false;
        t.extras.pdeathsig = 0;
    }
    super::caps::fix_setuid(&t.creds, &new, &mut t.extras);
    t.creds = new;
}

fn sys_setuid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ids = set_id(uids(&t.creds), capable(t), a[0] as u32)?;
    let c = with_uids(&t.creds, ids);
    commit_creds(t, c);
    Ok(0)
}

fn sys_setgid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ids = set_id(gids(&t.creds), capable(t), a[0] as u32)?;
    let c = with_gids(&t.creds, ids);
    commit_creds(t, c);
    Ok(0)
}

fn sys_setreuid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ids = set_re_id(uids(&t.creds), capable(t), a[0] as u32, a[1] as u32)?;
    let c = with_uids(&t.creds, ids);
    commit_creds(t, c);
    Ok(0)
}

fn sys_setregid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ids = set_re_id(gids(&t.creds), capable(t), a[0] as u32, a[1] as u32)?;
    let c = with_gids(&t.creds, ids);
    commit_creds(t, c);
    Ok(0)
}

fn sys_setresuid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ids = set_res_id(
        uids(&t.creds),
        capable(t),
        a[0] as u32,
        a[1] as u32,
        a[2] as u32,
    )?;
    let c = with_uids(&t.creds, ids);
    commit_creds(t, c);
    Ok(0)
}

fn sys_setresgid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ids = set_res_id(
        gids(&t.creds),
        capable(t),
        a[0] as u32,
        a[1] as u32,
        a[2] as u32,
    )?;
    let c = with_gids(&t.creds, ids);
    commit_creds(t, c);
    Ok(0)
}

fn sys_setfsuid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = t.creds.fsuid;
    let ids = set_fs_id(uids(&t.creds), capable(t), a[0] as u32);
    let c = with_uids(&t.creds, ids);
    commit_creds(t, c);
    Ok(u64::from(old))
}

fn sys_setfsgid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = t.creds.fsgid;
    let ids = set_fs_id(gids(&t.creds), capable(t), a[0] as u32);
    let c = with_gids(&t.creds, ids);
    commit_creds(t, c);
    Ok(u64::from(old))
}

fn sys_umask(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = t.set_umask((a[0] as u32) & 0o777);
    Ok(u64::from(old))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT: Ids = Ids {
        r: 0,
        e: 0,
        s: 0,
        fs: 0,
    };
    const USER: Ids = Ids {
        r: 1000,
        e: 1000,
        s: 1000,
        fs: 1000,
    };

    #[test]
    fn setuid_root_and_user() {
        assert_eq!(
            set_id(ROOT, true, 5),
            Ok(Ids {
                r: 5,
                e: 5,
                s: 5,
                fs: 5
            })
        );
        assert_eq!(set_id(ROOT, true, NO_ID), Err(Errno::EINVAL));
        assert_eq!(set_id(USER, false, 0), Err(Errno::EPERM));
        assert_eq!(set_id(USER, false, 1000), Ok(USER));
        // A non-root process may switch its effective id to the saved one.
        let mixed = Ids {
            r: 1000,
            e: 1000,
            s: 2000,
            fs: 1000,
        };
        assert_eq!(
            set_id(mixed, false, 2000),
            Ok(Ids {
                r: 1000,
                e: 2000,
                s: 2000,
                fs: 2000
            })
        );
    }

    #[test]
    fn setreuid_rules() {
        // seteuid(1000) from root keeps real and saved 0 ...
        let dropped = set_re_id(ROOT, true, NO_ID, 1000).unwrap_or(ROOT);
        assert_eq!(
            dropped,
            Ids {
                r: 0,
                e: 1000,
                s: 1000,
                fs: 1000
            }
        );
        // ... glibc's seteuid uses setresuid, which keeps the saved id:
        let dropped = set_res_id(ROOT, true, NO_ID, 1000, NO_ID).unwrap_or(ROOT);
        assert_eq!(
            dropped,
            Ids {
                r: 0,
                e: 1000,
                s: 0,
                fs: 1000
            }
        );
        // and can come back without the capability.
        assert_eq!(
            set_res_id(dropped, false, NO_ID, 0, NO_ID),
            Ok(Ids {
                r: 0,
                e: 0,
                s: 0,
                fs: 0
            })
        );
        assert_eq!(set_re_id(USER, false, 0, NO_ID), Err(Errno::EPERM));
        assert_eq!(set_re_id(USER, false, NO_ID, 7), Err(Errno::EPERM));
        // Swapping real and effective is allowed.
        let u = Ids {
            r: 1000,
            e: 2000,
            s: 2000,
            fs: 2000,
        };
        assert_eq!(
            set_re_id(u, false, 2000, 1000),
            Ok(Ids {
                r: 2000,
                e: 1000,
                s: 1000,
                fs: 1000
            })
        );
    }

    #[test]
    fn setresuid_rules() {
        assert_eq!(set_res_id(USER, false, NO_ID, NO_ID, NO_ID), Ok(USER));
        assert_eq!(set_res_id(USER, false, 1, NO_ID, NO_ID), Err(Errno::EPERM));
        assert_eq!(
            set_res_id(ROOT, true, 1, 2, 3),
            Ok(Ids {
                r: 1,
                e: 2,
                s: 3,
                fs: 2
            })
        );
    }

    #[test]
    fn setfsuid_rules() {
        assert_eq!(set_fs_id(USER, false, 0), USER);
        assert_eq!(set_fs_id(ROOT, true, 7).fs, 7);
        assert_eq!(set_fs_id(ROOT, true, NO_ID), ROOT);
    }
}
