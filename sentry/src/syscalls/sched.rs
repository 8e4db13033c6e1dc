//! Syscall handlers: scheduling policy and priority (sched_*, getpriority,
//! setpriority).
//!
//! Policies, real-time priorities and nice values are kept per thread in
//! the sentry ([`SchedParams`] in each task's shared state) and checked as
//! Linux checks them; they are never applied to the host threads.

use super::identity::is_self_pid;
use super::{Support, SysResult, Table};
use crate::kernel::signal::TaskShared;
use crate::kernel::task::Task;
use std::sync::{Arc, LazyLock};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    let note = "recorded per thread and checked as Linux (CAP_SYS_NICE from the effective set, \
                RLIMIT_NICE/RLIMIT_RTPRIO); never applied to the host; no deadline \
                admission control";
    t.set(
        nr::SCHED_SETSCHEDULER,
        sys_sched_setscheduler,
        Support::Partial(note),
    );
    t.set(
        nr::SCHED_GETSCHEDULER,
        sys_sched_getscheduler,
        Support::Full,
    );
    t.set(
        nr::SCHED_SETPARAM,
        sys_sched_setparam,
        Support::Partial(note),
    );
    t.set(nr::SCHED_GETPARAM, sys_sched_getparam, Support::Full);
    t.set(
        nr::SCHED_GET_PRIORITY_MAX,
        sys_sched_get_priority_max,
        Support::Full,
    );
    t.set(
        nr::SCHED_GET_PRIORITY_MIN,
        sys_sched_get_priority_min,
        Support::Full,
    );
    t.set(
        nr::SCHED_RR_GET_INTERVAL,
        sys_sched_rr_get_interval,
        Support::Partial(
            "SCHED_RR 100 ms, SCHED_FIFO 0, others the host's slice for the sentry thread",
        ),
    );
    t.set(nr::SCHED_SETATTR, sys_sched_setattr, Support::Partial(note));
    t.set(
        nr::SCHED_GETATTR,
        sys_sched_getattr,
        Support::Partial("utilization clamps reported as 0..1024"),
    );
    t.set(nr::GETPRIORITY, sys_getpriority, Support::Full);
    t.set(nr::SETPRIORITY, sys_setpriority, Support::Partial(note));
}

pub const SCHED_OTHER: u32 = 0;
pub const SCHED_FIFO: u32 = 1;
pub const SCHED_RR: u32 = 2;
pub const SCHED_BATCH: u32 = 3;
pub const SCHED_IDLE: u32 = 5;
pub const SCHED_DEADLINE: u32 = 6;
/// sched_ext (6.12+): a fair-class policy as far as the sandbox is concerned.
pub const SCHED_EXT: u32 = 7;
const SCHED_RESET_ON_FORK: u32 = 0x4000_0000;

const SCHED_FLAG_RESET_ON_FORK: u64 = 0x01;
const SCHED_FLAG_RECLAIM: u64 = 0x02;
const SCHED_FLAG_DL_OVERRUN: u64 = 0x04;
const SCHED_FLAG_KEEP_POLICY: u64 = 0x08;
const SCHED_FLAG_KEEP_PARAMS: u64 = 0x10;
const SCHED_FLAG_UTIL_CLAMP: u64 = 0x60;
const SCHED_FLAG_ALL: u64 = 0x7f;

const SCHED_ATTR_SIZE_VER0: usize = 48;
const SCHED_ATTR_SIZE_VER1: usize = 56;
const MAX_RT_PRIO: u32 = 100;

/// One thread's scheduling state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchedParams {
    pub policy: u32,
    pub rt_prio: u32,
    pub nice: i32,
    pub reset_on_fork: bool,
    /// SCHED_DEADLINE runtime, deadline, period (ns).
    pub dl: (u64, u64, u64),
    pub dl_flags: u64,
}

impl SchedParams {
    /// What a child created by clone inherits.
    pub fn fork(&self) -> SchedParams {
        let mut c = *self;
        if c.reset_on_fork {
            if rt_policy(c.policy) || c.policy == SCHED_DEADLINE {
                c.policy = SCHED_OTHER;
                c.rt_prio = 0;
                c.dl = (0, 0, 0);
                c.dl_flags = 0;
            }
            c.nice = c.nice.max(0);
            c.reset_on_fork = false;
        }
        c
    }
}

fn rt_policy(p: u32) -> bool {
    p == SCHED_FIFO || p == SCHED_RR
}

fn fair_policy(p: u32) -> bool {
    p == SCHED_OTHER || p == SCHED_BATCH || p == SCHED_IDLE || p == SCHED_EXT
}

fn valid_policy(p: u32) -> bool {
    fair_policy(p) || rt_policy(p) || p == SCHED_DEADLINE
}

/// The thread `pid` names (0 = the caller).
fn target(t: &Task, pid: i32) -> Result<Arc<TaskShared>, Errno> {
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    if pid == 0 {
        return Ok(t.shared.clone());
    }
    t.k.tasks.get(pid).ok_or(Errno::ESRCH)
}

fn params(ts: &TaskShared) -> SchedParams {
    *ts.sched.lock().unwrap_or_else(|p| p.into_inner())
}

fn set_params(ts: &TaskShared, p: SchedParams) {
    *ts.sched.lock().unwrap_or_else(|p| p.into_inner()) = p;
}

/// CAP_SYS_NICE in the effective set.
fn cap_sys_nice(t: &Task) -> bool {
    super::caps::has_cap(t, super::caps::CAP_SYS_NICE)
}

/// Linux's can_nice: lowering to `nice` is allowed by RLIMIT_NICE or the
/// capability.
fn can_nice(t: &Task, nice: i32) -> bool {
    let rlim = t.rlimits[libc::RLIMIT_NICE as usize].rlim_cur;
    rlim >= (20 - nice) as u64 || cap_sys_nice(t)
}

/// Linux's check_same_owner / set_one_prio_perm: the caller's euid is the
/// target's real or effective uid.
fn same_owner(t: &Task, target: &TaskShared) -> bool {
    let (ruid, euid) = target.uids();
    t.creds.euid == ruid || t.creds.euid == euid
}

/// A scheduling change request (sched_setscheduler/setparam/setattr).
struct Request {
    /// None keeps the current policy (sched_setparam, KEEP_POLICY).
    policy: Option<u32>,
    prio: u32,
    nice: Option<i32>,
    flags: u64,
    dl: (u64, u64, u64),
    keep_params: bool,
}

/// Linux's __checkparam_dl (with the default sysctl period bounds).
fn dl_params_ok(dl: (u64, u64, u64)) -> bool {
    let (runtime, deadline, period) = dl;
    if deadline == 0 || runtime < 1024 {
        return false;
    }
    if deadline & (1 << 63) != 0 || (period & (1 << 63)) != 0 {
        return false;
    }
    let period_eff = if period == 0 { deadline } else { period };
    if (period != 0 && period < deadline) || deadline < runtime {
        return false;
    }
    (100_000..=4_000_000_000).contains(&period_eff)
}

/// Linux's __sched_setscheduler for the sandbox's stored state.
fn apply(t: &Task, ts: &TaskShared, r: Request) -> Result<(), Errno> {
    let cur = params(ts);
    let policy = r.policy.unwrap_or(cur.policy);
    if !valid_policy(policy) {
        return Err(Errno::EINVAL);
    }
    if r.flags & !SCHED_FLAG_ALL != 0 {
        return Err(Errno::EINVAL);
    }
    if r.prio > MAX_RT_PRIO - 1 {
        return Err(Errno::EINVAL);
    }
    let keep = r.keep_params;
    if (policy == SCHED_DEADLINE && !keep && !dl_params_ok(r.dl))
        || (!keep && rt_policy(policy) != (r.prio != 0))
    {
        return Err(Errno::EINVAL);
    }
    let reset = r.flags & SCHED_FLAG_RESET_ON_FORK != 0;
    if !cap_sys_nice(t) {
        if fair_policy(policy) {
            if let Some(n) = r.nice {
                if n < cur.nice && !can_nice(t, n) {
                    return Err(Errno::EPERM);
                }
            }
        }
        if rt_policy(policy) {
            let rlim = t.rlimits[libc::RLIMIT_RTPRIO as usize].rlim_cur;
            if policy != cur.policy && rlim == 0 {
                return Err(Errno::EPERM);
            }
            if r.prio > cur.rt_prio && u64::from(r.prio) > rlim {
                return Err(Errno::EPERM);
            }
        }
        if policy == SCHED_DEADLINE {
            return Err(Errno::EPERM);
        }
        if cur.policy == SCHED_IDLE && policy != SCHED_IDLE && !can_nice(t, cur.nice) {
            return Err(Errno::EPERM);
        }
        if !same_owner(t, ts) {
            return Err(Errno::EPERM);
        }
        if cur.reset_on_fork && !reset {
            return Err(Errno::EPERM);
        }
    }
    let mut new = cur;
    new.policy = policy;
    new.reset_on_fork = reset;
    if !keep {
        new.rt_prio = if rt_policy(policy) { r.prio } else { 0 };
        if let (true, Some(n)) = (fair_policy(policy), r.nice) {
            new.nice = n;
        }
        if policy == SCHED_DEADLINE {
            new.dl = r.dl;
            new.dl_flags = r.flags & (SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN);
        } else {
            new.dl = (0, 0, 0);
            new.dl_flags = 0;
        }
    }
    set_params(ts, new);
    Ok(())
}

fn read_param(t: &Task, ptr: u64) -> Result<u32, Errno> {
    let p: i32 = t.mm.read_obj(ptr)?;
    Ok(p as u32)
}

fn sys_sched_setscheduler(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, policy, param) = (a[0] as i32, a[1] as i32, a[2]);
    if param == 0 || pid < 0 || policy < 0 {
        return Err(Errno::EINVAL);
    }
    let prio = read_param(t, param)?;
    let ts = target(t, pid)?;
    let policy = policy as u32;
    let flags = if policy & SCHED_RESET_ON_FORK != 0 {
        SCHED_FLAG_RESET_ON_FORK
    } else {
        0
    };
    apply(
        t,
        &ts,
        Request {
            policy: Some(policy & !SCHED_RESET_ON_FORK),
            prio,
            nice: None,
            flags,
            dl: (0, 0, 0),
            keep_params: false,
        },
    )?;
    Ok(0)
}

fn sys_sched_setparam(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, param) = (a[0] as i32, a[1]);
    if param == 0 || pid < 0 {
        return Err(Errno::EINVAL);
    }
    let prio = read_param(t, param)?;
    let ts = target(t, pid)?;
    let cur = params(&ts);
    apply(
        t,
        &ts,
        Request {
            policy: None,
            prio,
            nice: None,
            flags: if cur.reset_on_fork {
                SCHED_FLAG_RESET_ON_FORK
            } else {
                0
            },
            dl: cur.dl,
            keep_params: false,
        },
    )?;
    Ok(0)
}

fn sys_sched_getscheduler(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let p = params(&*target(t, a[0] as i32)?);
    let flag = if p.reset_on_fork {
        SCHED_RESET_ON_FORK
    } else {
        0
    };
    Ok(u64::from(p.policy | flag))
}

fn sys_sched_getparam(t: &mut Task, a: &[u64; 6]) -> SysResult {
    if a[1] == 0 || (a[0] as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let p = params(&*target(t, a[0] as i32)?);
    t.mm.write_obj(a[1], &(p.rt_prio as i32))?;
    Ok(0)
}

fn sys_sched_get_priority_max(_t: &mut Task, a: &[u64; 6]) -> SysResult {
    match a[0] as i32 as u32 {
        SCHED_FIFO | SCHED_RR => Ok(99),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE | SCHED_EXT => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_sched_get_priority_min(_t: &mut Task, a: &[u64; 6]) -> SysResult {
    match a[0] as i32 as u32 {
        SCHED_FIFO | SCHED_RR => Ok(1),
        SCHED_OTHER | SCHED_BATCH | SCHED_IDLE | SCHED_DEADLINE | SCHED_EXT => Ok(0),
        _ => Err(Errno::EINVAL),
    }
}

fn sys_sched_rr_get_interval(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let p = params(&*target(t, a[0] as i32)?);
    let ts = match p.policy {
        SCHED_RR => syscalls::abi::Timespec {
            tv_sec: 0,
            tv_nsec: 100_000_000,
        },
        SCHED_FIFO | SCHED_DEADLINE => syscalls::abi::Timespec::default(),
        _ => {
            let mut h = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            // SAFETY: a valid pointer to a timespec; pid 0 is the calling
            // (sentry) thread, only read.
            unsafe { libc::sched_rr_get_interval(0, &mut h) };
            syscalls::abi::Timespec {
                tv_sec: h.tv_sec,
                tv_nsec: h.tv_nsec,
            }
        }
    };
    t.mm.write_obj(a[1], &ts)?;
    Ok(0)
}

/// `struct sched_attr` (SCHED_ATTR_SIZE_VER1).
#[derive(Debug, Default, Clone, Copy)]
struct SchedAttr {
    size: u32,
    policy: u32,
    flags: u64,
    nice: i32,
    priority: u32,
    runtime: u64,
    deadline: u64,
    period: u64,
    util_min: u32,
    util_max: u32,
}

impl SchedAttr {
    fn to_bytes(self) -> [u8; SCHED_ATTR_SIZE_VER1] {
        let mut b = [0u8; SCHED_ATTR_SIZE_VER1];
        b[0..4].copy_from_slice(&self.size.to_le_bytes());
        b[4..8].copy_from_slice(&self.policy.to_le_bytes());
        b[8..16].copy_from_slice(&self.flags.to_le_bytes());
        b[16..20].copy_from_slice(&self.nice.to_le_bytes());
        b[20..24].copy_from_slice(&self.priority.to_le_bytes());
        b[24..32].copy_from_slice(&self.runtime.to_le_bytes());
        b[32..40].copy_from_slice(&self.deadline.to_le_bytes());
        b[40..48].copy_from_slice(&self.period.to_le_bytes());
        b[48..52].copy_from_slice(&self.util_min.to_le_bytes());
        b[52..56].copy_from_slice(&self.util_max.to_le_bytes());
        b
    }

    fn from_bytes(b: &[u8]) -> SchedAttr {
        let u32_at = |o: usize| -> u32 {
            b.get(o..o + 4)
                .and_then(|s| s.try_into().ok())
                .map(u32::from_le_bytes)
                .unwrap_or(0)
        };
        let u64_at = |o: usize| -> u64 {
            b.get(o..o + 8)
                .and_then(|s| s.try_into().ok())
                .map(u64::from_le_bytes)
                .unwrap_or(0)
        };
        SchedAttr {
            size: u32_at(0),
            policy: u32_at(4),
            flags: u64_at(8),
            nice: u32_at(16) as i32,
            priority: u32_at(20),
            runtime: u64_at(24),
            deadline: u64_at(32),
            period: u64_at(40),
            util_min: u32_at(48),
            util_max: u32_at(52),
        }
    }
}

fn sys_sched_getattr(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, ptr, size, flags) = (a[0] as i32, a[1], a[2] as u32 as usize, a[3] as u32);
    if ptr == 0 || pid < 0 || !(SCHED_ATTR_SIZE_VER0..=4096).contains(&size) || flags != 0 {
        return Err(Errno::EINVAL);
    }
    let p = params(&*target(t, pid)?);
    let n = size.min(SCHED_ATTR_SIZE_VER1);
    let mut flags = p.dl_flags;
    if p.reset_on_fork {
        flags |= SCHED_FLAG_RESET_ON_FORK;
    }
    let attr = SchedAttr {
        size: n as u32,
        policy: p.policy,
        flags,
        nice: if fair_policy(p.policy) { p.nice } else { 0 },
        priority: p.rt_prio,
        runtime: p.dl.0,
        deadline: p.dl.1,
        period: p.dl.2,
        util_min: 0,
        util_max: 1024,
    };
    let b = attr.to_bytes();
    t.mm.copy_out(ptr, &b[..n])?;
    Ok(0)
}

fn sys_sched_setattr(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, ptr, flags) = (a[0] as i32, a[1], a[2] as u32);
    if ptr == 0 || pid < 0 || flags != 0 {
        return Err(Errno::EINVAL);
    }
    // sched_copy_attr: the size first; 0 means VER0; too small or large
    // (or non-zero bytes past what the kernel knows) is E2BIG with the
    // kernel's size written back.
    let size: u32 = t.mm.read_obj(ptr)?;
    let size = if size == 0 {
        SCHED_ATTR_SIZE_VER0
    } else {
        size as usize
    };
    let e2big = |t: &Task| -> Errno {
        match t.mm.write_obj(ptr, &(SCHED_ATTR_SIZE_VER1 as u32)) {
            Ok(()) => Errno::E2BIG,
            Err(e) => e,
        }
    };
    if !(SCHED_ATTR_SIZE_VER0..=4096).contains(&size) {
        return Err(e2big(t));
    }
    let mut raw = vec![0u8; size];
    t.mm.copy_in(ptr, &mut raw)?;
    if raw.len() > SCHED_ATTR_SIZE_VER1 && raw[SCHED_ATTR_SIZE_VER1..].iter().any(|b| *b != 0) {
        return Err(e2big(t));
    }
    let attr = SchedAttr::from_bytes(&raw);
    if attr.flags & SCHED_FLAG_UTIL_CLAMP != 0 && size < SCHED_ATTR_SIZE_VER1 {
        return Err(Errno::EINVAL);
    }
    if (attr.policy as i32) < 0 {
        return Err(Errno::EINVAL);
    }
    let ts = target(t, pid)?;
    let nice = attr.nice.clamp(-20, 19);
    let keep_policy = attr.flags & SCHED_FLAG_KEEP_POLICY != 0;
    apply(
        t,
        &ts,
        Request {
            policy: if keep_policy { None } else { Some(attr.policy) },
            prio: attr.priority,
            nice: Some(nice),
            flags: attr.flags
                & !(SCHED_FLAG_KEEP_POLICY | SCHED_FLAG_KEEP_PARAMS | SCHED_FLAG_UTIL_CLAMP),
            dl: (attr.runtime, attr.deadline, attr.period),
            keep_params: attr.flags & SCHED_FLAG_KEEP_PARAMS != 0,
        },
    )?;
    Ok(0)
}

const PRIO_PROCESS: u64 = 0;
const PRIO_PGRP: u64 = 1;
const PRIO_USER: u64 = 2;

/// The threads getpriority/setpriority address.
fn prio_targets(t: &Task, which: u64, who: i32) -> Result<Vec<Arc<TaskShared>>, Errno> {
    match which {
        PRIO_PROCESS => {
            if who == 0 {
                return Ok(vec![t.shared.clone()]);
            }
            Ok(t.k.tasks.get(who).into_iter().collect())
        }
        PRIO_PGRP => {
            let pgrp = if who == 0 {
                super::identity::pgid(t)
            } else {
                who
            };
            let groups = t.k.tasks.all_groups();
            let procs = t.k.procs.lock();
            let mut v = Vec::new();
            for g in groups {
                if procs
                    .procs
                    .get(&g.tgid)
                    .is_some_and(|e| e.pgid == pgrp && e.exit.is_none())
                {
                    v.extend(g.members().iter().cloned());
                }
            }
            Ok(v)
        }
        PRIO_USER => {
            let uid = if who == 0 { t.creds.ruid } else { who as u32 };
            let mut v = Vec::new();
            for g in t.k.tasks.all_groups() {
                v.extend(g.members().iter().filter(|m| m.uids().0 == uid).cloned());
            }
            Ok(v)
        }
        _ => Err(Errno::EINVAL),
    }
}

fn sys_getpriority(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let targets = prio_targets(t, a[0] & 0xffff_ffff, a[1] as i32)?;
    let best = targets
        .iter()
        .map(|ts| 20 - i64::from(params(ts).nice))
        .max()
        .ok_or(Errno::ESRCH)?;
    Ok(best as u64)
}

fn sys_setpriority(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let which = a[0] & 0xffff_ffff;
    let nice = (a[2] as i32).clamp(-20, 19);
    let targets = prio_targets(t, which, a[1] as i32)?;
    let mut err = Err(Errno::ESRCH);
    for ts in targets {
        if !same_owner(t, &ts) && !cap_sys_nice(t) {
            err = Err(Errno::EPERM);
            continue;
        }
        let mut p = params(&ts);
        if nice < p.nice && !can_nice(t, nice) {
            err = Err(Errno::EACCES);
            continue;
        }
        if err == Err(Errno::ESRCH) {
            err = Ok(0);
        }
        p.nice = nice;
        set_params(&ts, p);
    }
    err
}

/// Keep the uid and capability mirror other tasks read (PRIO_USER,
/// permission checks, capget) current; called after every syscall.
pub fn mirror_uids(t: &Task) {
    t.shared.set_uids(t.creds.ruid, t.creds.euid);
    t.shared.set_caps(t.extras.caps);
}

/// The affinity, yield and getcpu calls (moved here from the identity
/// family; the table calls this next to [`register`]).
pub(super) fn register_affinity(t: &mut Table) {
    let full = Support::Full;
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

#[cfg(test)]
mod affinity_tests {
    use super::*;

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
}
