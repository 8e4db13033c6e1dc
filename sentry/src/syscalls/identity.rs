//! Syscall handlers: identity family — process and user ids, credentials,
//! uname and host/domain names, sysinfo, umask, getrandom, resource limits,
//! CPU affinity, robust futex lists and prctl.
//!
//! Capabilities are not modelled yet: a task whose effective uid is 0 has all
//! of them, any other task none (which is what Linux gives a root process
//! without file capabilities or keepcaps). Transitions follow that model:
//! `seteuid(1000)` from root drops every capability, `seteuid(0)` while the
//! real or saved uid is still 0 regains them.

use super::{Support, SysResult, Table};
use crate::kernel::task::{Creds, Task};
use std::sync::LazyLock;
use syscalls::abi::{Rlimit, Sysinfo, Utsname};
use syscalls::{consts, nr, Errno};

/// Per-task process attributes that have no home in [`Task`] yet, set
/// through prctl, set_robust_list and the signal calls.
#[derive(Clone, Debug)]
pub struct ProcExtras {
    /// PR_SET_PDEATHSIG (recorded; delivered once parents can die first).
    pub pdeathsig: i32,
    /// PR_SET_DUMPABLE (cleared when the effective or fs ids change).
    pub dumpable: bool,
    /// PR_SET_NO_NEW_PRIVS (sticky; execve does not honour set-id bits anyway).
    pub no_new_privs: bool,
    /// PR_SET_CHILD_SUBREAPER (recorded for the process issue).
    pub subreaper: bool,
    /// The length given to set_robust_list (always 24 once set).
    pub robust_len: u64,
    /// Signals sent to this task that could not take effect yet: blocked
    /// ones, and unblocked ones with a handler (handlers run with the signals
    /// issue). Bit `n-1` is signal `n`.
    pub sig_pending: u64,
    /// The capability bounding set (PR_CAPBSET_READ/DROP); bit n = capability n.
    pub capbset: u64,
    /// PR_SET_KEEPCAPS.
    pub keepcaps: bool,
    /// PR_SET_TIMERSLACK in nanoseconds (recorded).
    pub timer_slack_ns: u64,
    /// PR_SET_THP_DISABLE (recorded).
    pub thp_disable: bool,
    /// Effective, permitted and inheritable capabilities (capget/capset).
    pub caps: super::caps::CapSets,
}

/// The highest capability number Linux knows (CAP_CHECKPOINT_RESTORE).
pub const CAP_LAST_CAP: u64 = consts::CAP_LAST_CAP as u64;
/// Every capability up to [`CAP_LAST_CAP`].
pub const CAP_FULL_SET: u64 = (1 << (CAP_LAST_CAP + 1)) - 1;
/// Linux's default timer slack for a task (50 µs).
pub const DEFAULT_TIMER_SLACK_NS: u64 = 50_000;

impl Default for ProcExtras {
    fn default() -> Self {
        ProcExtras {
            pdeathsig: 0,
            dumpable: true,
            no_new_privs: false,
            subreaper: false,
            robust_len: 0,
            sig_pending: 0,
            capbset: CAP_FULL_SET,
            keepcaps: false,
            timer_slack_ns: DEFAULT_TIMER_SLACK_NS,
            thp_disable: false,
            caps: super::caps::CapSets::ROOT,
        }
    }
}

const CAPS_NOTE: &str =
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
    t.set(
        nr::UNAME,
        sys_uname,
        Support::Partial("release 6.18.0, version names the sandbox"),
    );
    t.set(nr::SETHOSTNAME, sys_sethostname, caps);
    t.set(nr::SETDOMAINNAME, sys_setdomainname, caps);
    t.set(
        nr::SYSINFO,
        sys_sysinfo,
        Support::Partial(
            "uptime of the sandbox; RAM figures of the host; no swap; loads 0; procs 1",
        ),
    );
    t.set(nr::UMASK, sys_umask, full);
    t.set(
        nr::GETRANDOM,
        sys_getrandom,
        Support::Partial("bytes from the host's getrandom; never blocks"),
    );
    let rl = Support::Partial(
        "recorded; only the calling process can be addressed; enforced where each subsystem checks",
    );
    t.set(nr::GETRLIMIT, sys_getrlimit, rl);
    t.set(nr::SETRLIMIT, sys_setrlimit, rl);
    t.set(nr::PRLIMIT64, sys_prlimit64, rl);
    t.set(
        nr::SCHED_GETAFFINITY,
        sys_sched_getaffinity,
        Support::Partial("the sandbox's host CPU mask"),
    );
    t.set(
        nr::SCHED_SETAFFINITY,
        sys_sched_setaffinity,
        Support::Partial("validated and accepted; the mask is not applied"),
    );
    t.set(nr::SCHED_YIELD, sys_sched_yield, full);
    t.set(
        nr::GETCPU,
        sys_getcpu,
        Support::Partial("the host CPU of the sentry thread; node 0"),
    );
    t.set(
        nr::SET_ROBUST_LIST,
        sys_set_robust_list,
        Support::Partial("recorded; the list is walked at exit once futexes exist"),
    );
    t.set(
        nr::GET_ROBUST_LIST,
        sys_get_robust_list,
        Support::Partial("only the calling thread can be addressed"),
    );
    t.errno(
        nr::RSEQ,
        Errno::ENOSYS,
        "as gVisor: not implemented; glibc falls back",
    );
    t.set(
        nr::PRCTL,
        sys_prctl,
        Support::Partial(
            "names, dumpable, no_new_privs, seccomp, pdeathsig/subreaper (recorded), capability bounding set, \
             securebits, keepcaps, timer slack, THP, tid address, PR_SET_VMA (no effect); others EINVAL",
        ),
    );
}

/// Whether the task has the capabilities a credential or resource change
/// needs (see the module comment).
pub fn capable(t: &Task) -> bool {
    t.creds.euid == 0
}

/// Whether `pid` names the calling thread group (0 = self).
fn is_self_pid(t: &Task, pid: i32) -> bool {
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

/// `uname -r` inside the sandbox: the Linux release whose syscall ABI the
/// table follows (the `syscalls` crate is the 6.18 uapi). Programs that
/// compare versions see a current kernel and probe features by calling them.
pub const UTS_RELEASE: &[u8] = b"6.18.0";
/// `uname -v`: says where the program runs.
pub const UTS_VERSION: &[u8] = b"#1 SMP PREEMPT_DYNAMIC runsc sandbox";
/// Linux's __NEW_UTS_LEN.
const UTS_LEN: usize = 64;

fn put_uts(dst: &mut [u8; 65], s: &[u8]) {
    let n = s.len().min(UTS_LEN);
    dst[..n].copy_from_slice(&s[..n]);
    dst[n..].fill(0);
}

fn lock_name(m: &std::sync::Mutex<Vec<u8>>) -> std::sync::MutexGuard<'_, Vec<u8>> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The `struct utsname` the sandbox reports.
pub fn utsname(t: &Task) -> Utsname {
    let mut u = Utsname::default();
    put_uts(&mut u.sysname, b"Linux");
    put_uts(&mut u.nodename, &lock_name(&t.k.hostname));
    put_uts(&mut u.release, UTS_RELEASE);
    put_uts(&mut u.version, UTS_VERSION);
    put_uts(&mut u.machine, b"x86_64");
    put_uts(&mut u.domainname, &lock_name(&t.k.domainname));
    u
}

fn sys_uname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let u = utsname(t);
    t.mm.write_obj(a[0], &u)?;
    Ok(0)
}

/// sethostname/setdomainname: CAP_SYS_ADMIN, 0 <= len <= 64, EFAULT.
fn read_uts_name(t: &Task, a: &[u64; 6]) -> Result<Vec<u8>, Errno> {
    if !capable(t) {
        return Err(Errno::EPERM);
    }
    let len = a[1] as i32;
    if !(0..=UTS_LEN as i32).contains(&len) {
        return Err(Errno::EINVAL);
    }
    t.mm.read_bytes(a[0], len as usize)
}

fn sys_sethostname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let name = read_uts_name(t, a)?;
    *lock_name(&t.k.hostname) = name;
    Ok(0)
}

fn sys_setdomainname(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let name = read_uts_name(t, a)?;
    *lock_name(&t.k.domainname) = name;
    Ok(0)
}

/// Host memory figures in bytes: (total, free, shared, buffers).
pub fn host_memory() -> (u64, u64, u64, u64) {
    // SAFETY: sysinfo only writes the struct it is given.
    let mut si: libc::sysinfo = unsafe { std::mem::zeroed() };
    // SAFETY: a valid pointer to a writable struct sysinfo.
    if unsafe { libc::sysinfo(&mut si) } != 0 {
        return (1 << 30, 1 << 29, 0, 0);
    }
    let unit = u64::from(si.mem_unit.max(1));
    let b = |v: u64| v.saturating_mul(unit);
    (
        b(si.totalram),
        b(si.freeram),
        b(si.sharedram),
        b(si.bufferram),
    )
}

fn sys_sysinfo(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let up = t.k.boot.elapsed();
    let (total, free, shared, buffers) = host_memory();
    let si = Sysinfo {
        // Linux rounds a started second up.
        uptime: (up.as_secs() + u64::from(up.subsec_nanos() > 0)) as i64,
        totalram: total,
        freeram: free.min(total),
        sharedram: shared,
        bufferram: buffers,
        procs: 1,
        mem_unit: 1,
        ..Default::default()
    };
    t.mm.write_obj(a[0], &si)?;
    Ok(0)
}

fn sys_umask(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = t.set_umask((a[0] as u32) & 0o777);
    Ok(u64::from(old))
}

/// Linux's MAX_RW_COUNT: the most one read-like call transfers.
pub const MAX_RW_COUNT: u64 = 0x7fff_f000;
/// The end of the x86_64 user address range (TASK_SIZE_MAX).
pub const TASK_SIZE_MAX: u64 = 0x7fff_ffff_f000;

/// Validate getrandom's flags as Linux does.
pub fn check_getrandom_flags(flags: u32) -> Result<(), Errno> {
    let (nb, rnd, insecure) = (
        consts::GRND_NONBLOCK,
        consts::GRND_RANDOM,
        consts::GRND_INSECURE,
    );
    if flags & !(nb | rnd | insecure) != 0 || flags & (insecure | rnd) == (insecure | rnd) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// Fill `buf` from the host's random pool.
fn host_random(buf: &mut [u8]) -> Result<(), Errno> {
    let mut done = 0;
    while done < buf.len() {
        let rest = &mut buf[done..];
        // SAFETY: the pointer and length describe the writable slice `rest`.
        let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
        if n < 0 {
            let e = Errno::last();
            if e == Errno::EINTR {
                continue;
            }
            return Err(Errno::EIO);
        }
        done += n as usize;
    }
    Ok(())
}

fn sys_getrandom(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (addr, flags) = (a[0], a[2] as u32);
    check_getrandom_flags(flags)?;
    let len = a[1].min(MAX_RW_COUNT);
    if addr.checked_add(len).is_none_or(|end| end > TASK_SIZE_MAX) {
        return Err(Errno::EFAULT);
    }
    if len == 0 {
        return Ok(0);
    }
    const CHUNK: u64 = 256 << 10;
    let mut buf = vec![0u8; len.min(CHUNK) as usize];
    let mut done = 0u64;
    while done < len {
        let n = (len - done).min(CHUNK) as usize;
        host_random(&mut buf[..n])?;
        let copied = t.mm.copy_out_partial(addr + done, &buf[..n]);
        done += copied as u64;
        if copied < n {
            break;
        }
    }
    if done == 0 {
        return Err(Errno::EFAULT);
    }
    Ok(done)
}

/// Validate a new limit for `resource` given the current one; as Linux's
/// do_prlimit.
pub fn check_rlimit(resource: u32, cur: Rlimit, new: Rlimit, cap: bool) -> Result<(), Errno> {
    if resource >= consts::RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    if new.rlim_cur > new.rlim_max {
        return Err(Errno::EINVAL);
    }
    if resource == consts::RLIMIT_NOFILE && new.rlim_max > NR_OPEN {
        return Err(Errno::EPERM);
    }
    if new.rlim_max > cur.rlim_max && !cap {
        return Err(Errno::EPERM);
    }
    Ok(())
}

/// Linux's default fs.nr_open: the highest RLIMIT_NOFILE hard limit.
pub const NR_OPEN: u64 = 1 << 20;

/// Shared body of getrlimit/setrlimit/prlimit64 for the calling process.
fn do_prlimit(t: &mut Task, resource: u32, new: Option<Rlimit>) -> Result<Rlimit, Errno> {
    if resource >= consts::RLIM_NLIMITS {
        return Err(Errno::EINVAL);
    }
    let slot = t
        .rlimits
        .get(resource as usize)
        .copied()
        .ok_or(Errno::EINVAL)?;
    if let Some(new) = new {
        check_rlimit(resource, slot, new, capable(t))?;
        if let Some(s) = t.rlimits.get_mut(resource as usize) {
            *s = new;
        }
    }
    Ok(slot)
}

fn sys_getrlimit(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let old = do_prlimit(t, a[0] as u32, None)?;
    t.mm.write_obj(a[1], &old)?;
    Ok(0)
}

fn sys_setrlimit(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let new: Rlimit = t.mm.read_obj(a[1])?;
    do_prlimit(t, a[0] as u32, Some(new))?;
    Ok(0)
}

fn sys_prlimit64(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, resource, new_ptr, old_ptr) = (a[0] as i32, a[1] as u32, a[2], a[3]);
    let new = if new_ptr != 0 {
        Some(t.mm.read_obj::<Rlimit>(new_ptr)?)
    } else {
        None
    };
    if !is_self_pid(t, pid) {
        return Err(Errno::ESRCH);
    }
    let old = do_prlimit(t, resource, new)?;
    if old_ptr != 0 {
        t.mm.write_obj(old_ptr, &old)?;
    }
    Ok(0)
}

/// The host's CPU affinity mask as the kernel reports it: exactly
/// `cpumask_size()` bytes (a multiple of 8).
struct HostCpus {
    mask: Vec<u8>,
}

static HOST_CPUS: LazyLock<HostCpus> = LazyLock::new(|| {
    let mut buf = vec![0u8; 8192];
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    let n = unsafe { libc::syscall(libc::SYS_sched_getaffinity, 0, buf.len(), buf.as_mut_ptr()) };
    if n <= 0 || n as usize > buf.len() || n % 8 != 0 || buf.iter().all(|b| *b == 0) {
        let mut mask = vec![0u8; 8];
        mask[0] = 1;
        return HostCpus { mask };
    }
    buf.truncate(n as usize);
    HostCpus { mask: buf }
});

/// Touch every host fact the identity and time handlers cache, so they are
/// read before the sentry's seccomp filter is installed.
pub fn prime_host_facts() {
    LazyLock::force(&HOST_CPUS);
    crate::fs::proc::global::prime();
}

/// The number of CPUs in the sandbox's affinity mask.
pub fn host_cpu_count() -> usize {
    HOST_CPUS.mask.iter().map(|b| b.count_ones() as usize).sum()
}

/// sched_getaffinity's length check: `len * 8` (as a 32-bit product, like
/// the kernel's `unsigned int`) must cover every possible CPU and `len` must
/// be a multiple of the word size. `mask_bytes` is the kernel's cpumask size.
pub fn check_affinity_len(len: u32, mask_bytes: usize) -> Result<(), Errno> {
    let bits = (mask_bytes as u64 * 8).min(u64::from(u32::MAX)) as u32;
    if len.wrapping_mul(8) < bits || !len.is_multiple_of(8) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn sys_sched_getaffinity(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, len, ptr) = (a[0] as i32, a[1] as u32, a[2]);
    let mask = &HOST_CPUS.mask;
    check_affinity_len(len, mask.len())?;
    if !is_self_pid(t, pid) {
        return Err(Errno::ESRCH);
    }
    let n = (len as usize).min(mask.len());
    t.mm.copy_out(ptr, &mask[..n])?;
    Ok(n as u64)
}

fn sys_sched_setaffinity(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, len, ptr) = (a[0] as i32, a[1] as u32, a[2]);
    let host = &HOST_CPUS.mask;
    let n = (len as usize).min(host.len());
    let want = t.mm.read_bytes(ptr, n)?;
    if !is_self_pid(t, pid) {
        return Err(Errno::ESRCH);
    }
    if !want.iter().zip(host.iter()).any(|(w, h)| w & h != 0) {
        return Err(Errno::EINVAL);
    }
    Ok(0)
}

fn sys_sched_yield(_t: &mut Task, _a: &[u64; 6]) -> SysResult {
    std::thread::yield_now();
    Ok(0)
}

fn sys_getcpu(t: &mut Task, a: &[u64; 6]) -> SysResult {
    // SAFETY: no arguments; returns -1 on failure.
    let cpu = unsafe { libc::sched_getcpu() };
    let cpu = u32::try_from(cpu).unwrap_or(0);
    let mut err = false;
    if a[0] != 0 {
        err |= t.mm.write_obj(a[0], &cpu).is_err();
    }
    if a[1] != 0 {
        err |= t.mm.write_obj(a[1], &0u32).is_err();
    }
    if err {
        return Err(Errno::EFAULT);
    }
    Ok(0)
}

/// sizeof(struct robust_list_head).
const ROBUST_LIST_HEAD_SIZE: u64 = 24;

fn sys_set_robust_list(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[1] != ROBUST_LIST_HEAD_SIZE {
        return Err(Errno::EINVAL);
    }
    t.robust_list = (a[0], a[1]);
    t.extras.robust_len = a[1];
    Ok(0)
}

fn sys_get_robust_list(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let pid = a[0] as i32;
    if pid != 0 && pid != t.tid {
        return Err(Errno::ESRCH);
    }
    t.mm.write_obj(a[2], &ROBUST_LIST_HEAD_SIZE)?;
    t.mm.write_obj(a[1], &t.robust_list.0)?;
    Ok(0)
}

/// The name PR_SET_NAME stores: up to 15 bytes before the first NUL.
/// `read` is what could be read at the address (a prefix of at most 15
/// bytes); EFAULT if it ends before a NUL and before 15 bytes.
pub fn comm_from(read: &[u8], wanted: usize) -> Result<Vec<u8>, Errno> {
    if let Some(z) = read.iter().position(|b| *b == 0) {
        return Ok(read[..z].to_vec());
    }
    if read.len() < wanted {
        return Err(Errno::EFAULT);
    }
    Ok(read.to_vec())
}

/// PR_SET_VMA's name rules (ANON_VMA_NAME_MAX_LEN and the allowed bytes).
fn check_vma_name(name: &[u8]) -> Result<(), Errno> {
    let ok = |c: u8| (0x20..0x7f).contains(&c) && !matches!(c, b'\\' | b'`' | b'$' | b'[' | b']');
    if !name.iter().all(|c| ok(*c)) {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

fn sys_prctl(t: &mut Task, a: &[u64; 6]) -> SysResult {
    use consts::{
        PR_CAPBSET_DROP, PR_CAPBSET_READ, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL,
        PR_CAP_AMBIENT_IS_SET, PR_GET_CHILD_SUBREAPER, PR_GET_DUMPABLE, PR_GET_KEEPCAPS,
        PR_GET_NAME, PR_GET_NO_NEW_PRIVS, PR_GET_PDEATHSIG, PR_GET_SECCOMP, PR_GET_SECUREBITS,
        PR_GET_THP_DISABLE, PR_GET_TID_ADDRESS, PR_GET_TIMERSLACK, PR_SET_CHILD_SUBREAPER,
        PR_SET_DUMPABLE, PR_SET_KEEPCAPS, PR_SET_NAME, PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG,
        PR_SET_THP_DISABLE, PR_SET_TIMERSLACK, PR_SET_VMA, TASK_COMM_LEN,
    };
    let (opt, a2, a3, a4, a5) = (a[0] as i32, a[1], a[2], a[3], a[4]);
    match opt {
        PR_SET_NAME => {
            let wanted = TASK_COMM_LEN - 1;
            let mut buf = vec![0u8; wanted];
            let n = t.mm.copy_in_partial(a2, &mut buf);
            t.comm = comm_from(&buf[..n], wanted)?;
            Ok(0)
        }
        PR_GET_NAME => {
            let mut out = [0u8; TASK_COMM_LEN];
            let n = t.comm.len().min(TASK_COMM_LEN - 1);
            out[..n].copy_from_slice(&t.comm[..n]);
            t.mm.copy_out(a2, &out)?;
            Ok(0)
        }
        PR_SET_PDEATHSIG => {
            if a2 > consts::NSIG as u64 {
                return Err(Errno::EINVAL);
            }
            t.extras.pdeathsig = a2 as i32;
            t.shared
                .pdeathsig
                .store(a2 as i32, std::sync::atomic::Ordering::SeqCst);
            Ok(0)
        }
        PR_GET_PDEATHSIG => {
            t.mm.write_obj(a2, &t.extras.pdeathsig)?;
            Ok(0)
        }
        PR_GET_DUMPABLE => Ok(u64::from(t.extras.dumpable)),
        PR_SET_DUMPABLE => {
            if a2 > 1 {
                return Err(Errno::EINVAL);
            }
            t.extras.dumpable = a2 == 1;
            Ok(0)
        }
        PR_SET_NO_NEW_PRIVS => {
            if a2 != 1 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            t.extras.no_new_privs = true;
            Ok(0)
        }
        PR_GET_NO_NEW_PRIVS => {
            if a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(u64::from(t.extras.no_new_privs))
        }
        PR_SET_CHILD_SUBREAPER => {
            t.extras.subreaper = a2 != 0;
            t.k.procs.set_subreaper(t.tgid, a2 != 0);
            Ok(0)
        }
        PR_GET_CHILD_SUBREAPER => {
            let on = t.k.procs.is_subreaper(t.tgid);
            t.mm.write_obj(a2, &i32::from(on))?;
            Ok(0)
        }
        PR_CAPBSET_READ => {
            if a2 > CAP_LAST_CAP {
                return Err(Errno::EINVAL);
            }
            Ok((t.extras.capbset >> a2) & 1)
        }
        PR_CAPBSET_DROP => {
            if !capable(t) {
                return Err(Errno::EPERM);
            }
            if a2 > CAP_LAST_CAP {
                return Err(Errno::EINVAL);
            }
            t.extras.capbset &= !(1u64 << a2);
            Ok(0)
        }
        PR_GET_SECUREBITS => Ok(0),
        PR_GET_KEEPCAPS => Ok(u64::from(t.extras.keepcaps)),
        PR_SET_KEEPCAPS => {
            if a2 > 1 {
                return Err(Errno::EINVAL);
            }
            t.extras.keepcaps = a2 == 1;
            Ok(0)
        }
        PR_GET_SECCOMP => super::seccomp::prctl_get_seccomp(t),
        consts::PR_SET_SECCOMP => super::seccomp::prctl_set_seccomp(t, a2, a3),
        PR_GET_TIMERSLACK => Ok(t.extras.timer_slack_ns),
        PR_SET_TIMERSLACK => {
            t.extras.timer_slack_ns = if a2 == 0 { DEFAULT_TIMER_SLACK_NS } else { a2 };
            Ok(0)
        }
        PR_GET_THP_DISABLE => {
            if a2 != 0 || a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            Ok(u64::from(t.extras.thp_disable))
        }
        PR_SET_THP_DISABLE => {
            if a3 != 0 || a4 != 0 || a5 != 0 {
                return Err(Errno::EINVAL);
            }
            t.extras.thp_disable = a2 != 0;
            Ok(0)
        }
        PR_GET_TID_ADDRESS => {
            t.mm.write_obj(a2, &t.clear_child_tid)?;
            Ok(0)
        }
        PR_CAP_AMBIENT => match a2 {
            PR_CAP_AMBIENT_IS_SET => {
                if a3 > CAP_LAST_CAP || a4 != 0 || a5 != 0 {
                    return Err(Errno::EINVAL);
                }
                Ok(0)
            }
            PR_CAP_AMBIENT_CLEAR_ALL => {
                if a3 != 0 || a4 != 0 || a5 != 0 {
                    return Err(Errno::EINVAL);
                }
                Ok(0)
            }
            _ => Err(Errno::EINVAL),
        },
        PR_SET_VMA => {
            // PR_SET_VMA_ANON_NAME is the only operation.
            if a2 != 0 {
                return Err(Errno::EINVAL);
            }
            let _ = (a3, a4);
            if a5 != 0 {
                const ANON_VMA_NAME_MAX_LEN: usize = 80;
                let name = t.mm.read_cstr(a5, ANON_VMA_NAME_MAX_LEN).map_err(|e| {
                    if e == Errno::ENAMETOOLONG {
                        Errno::EINVAL
                    } else {
                        e
                    }
                })?;
                check_vma_name(&name)?;
            }
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
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

    #[test]
    fn getrandom_flags() {
        assert!(check_getrandom_flags(0).is_ok());
        assert!(check_getrandom_flags(consts::GRND_RANDOM | consts::GRND_NONBLOCK).is_ok());
        assert!(check_getrandom_flags(consts::GRND_INSECURE).is_ok());
        assert_eq!(
            check_getrandom_flags(consts::GRND_INSECURE | consts::GRND_RANDOM),
            Err(Errno::EINVAL)
        );
        assert_eq!(check_getrandom_flags(8), Err(Errno::EINVAL));
        assert_eq!(check_getrandom_flags(u32::MAX), Err(Errno::EINVAL));
    }

    #[test]
    fn rlimit_rules() {
        let inf = Rlimit {
            rlim_cur: u64::MAX,
            rlim_max: u64::MAX,
        };
        let small = Rlimit {
            rlim_cur: 10,
            rlim_max: 20,
        };
        let bad = Rlimit {
            rlim_cur: 30,
            rlim_max: 20,
        };
        assert!(check_rlimit(consts::RLIMIT_CORE, inf, small, false).is_ok());
        assert_eq!(
            check_rlimit(consts::RLIMIT_CORE, inf, bad, true),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            check_rlimit(consts::RLIM_NLIMITS, inf, small, true),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            check_rlimit(consts::RLIMIT_CORE, small, inf, false),
            Err(Errno::EPERM)
        );
        assert!(check_rlimit(consts::RLIMIT_CORE, small, inf, true).is_ok());
        let big = Rlimit {
            rlim_cur: 1,
            rlim_max: NR_OPEN + 1,
        };
        assert_eq!(
            check_rlimit(consts::RLIMIT_NOFILE, inf, big, true),
            Err(Errno::EPERM)
        );
    }

    #[test]
    fn affinity_len() {
        assert!(check_affinity_len(8, 8).is_ok());
        assert!(check_affinity_len(128, 8).is_ok());
        assert_eq!(check_affinity_len(7, 8), Err(Errno::EINVAL));
        assert_eq!(check_affinity_len(1, 8), Err(Errno::EINVAL));
        assert_eq!(check_affinity_len(12, 8), Err(Errno::EINVAL));
        assert_eq!(check_affinity_len(8, 16), Err(Errno::EINVAL));
        // 2^29 * 8 wraps to 0 in 32 bits, as in the kernel.
        assert_eq!(check_affinity_len(1 << 29, 8), Err(Errno::EINVAL));
    }

    #[test]
    fn comm_names() {
        assert_eq!(comm_from(b"abc\0def", 15), Ok(b"abc".to_vec()));
        assert_eq!(
            comm_from(b"0123456789abcde", 15),
            Ok(b"0123456789abcde".to_vec())
        );
        assert_eq!(comm_from(b"abc", 15), Err(Errno::EFAULT));
        assert_eq!(comm_from(b"", 15), Err(Errno::EFAULT));
    }

    #[test]
    fn vma_names() {
        assert!(check_vma_name(b"heap arena 1").is_ok());
        assert_eq!(check_vma_name(b"a[b]"), Err(Errno::EINVAL));
        assert_eq!(check_vma_name(b"tab\t"), Err(Errno::EINVAL));
    }

    #[test]
    fn extras_defaults() {
        let e = ProcExtras::default();
        assert!(e.dumpable);
        assert_eq!(e.capbset.count_ones(), CAP_LAST_CAP as u32 + 1);
        assert_eq!(e.timer_slack_ns, DEFAULT_TIMER_SLACK_NS);
    }
}
