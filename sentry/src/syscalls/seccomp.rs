//! Syscall handlers: seccomp(2) and the seccomp half of prctl
//! (PR_SET_SECCOMP, PR_GET_SECCOMP), and [`check`], which runs a task's
//! filters (or strict mode) before dispatch.
//!
//! Decisions where the sandbox differs from a Linux host:
//! - User notification is not offered: SECCOMP_FILTER_FLAG_NEW_LISTENER
//!   (and WAIT_KILLABLE_RECV) are refused with EINVAL, as a kernel without
//!   the feature refuses an unknown flag, which is how libseccomp probes for
//!   it. A filter returning USER_NOTIF then behaves as Linux does when no
//!   listener exists: ENOSYS.
//! - Apps cannot ptrace inside the sandbox, so SECCOMP_RET_TRACE always
//!   takes Linux's no-tracer path: ENOSYS.
//! - LOG and SPEC_ALLOW are accepted; nothing is logged (there is no audit
//!   log) and there is no speculation control to relax.

use super::{Support, SysResult, Table};
use crate::kernel::seccomp::{
    Filter, FilterError, Mode, Program, SeccompCell, SeccompData, SockFilter, State, MAX_INSNS,
    MAX_INSNS_PER_PATH,
};
use crate::kernel::signal::TaskShared;
use crate::kernel::task::Task;
use crate::kernel::ExitStatus;
use std::sync::{Arc, Mutex};
use syscalls::abi::Siginfo;
use syscalls::consts::{
    AUDIT_ARCH_X86_64, SECCOMP_FILTER_FLAG_LOG, SECCOMP_FILTER_FLAG_NEW_LISTENER,
    SECCOMP_FILTER_FLAG_SPEC_ALLOW, SECCOMP_FILTER_FLAG_TSYNC, SECCOMP_FILTER_FLAG_TSYNC_ESRCH,
    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, SECCOMP_GET_ACTION_AVAIL, SECCOMP_GET_NOTIF_SIZES,
    SECCOMP_MODE_FILTER, SECCOMP_MODE_STRICT, SECCOMP_RET_ACTION_FULL, SECCOMP_RET_ALLOW,
    SECCOMP_RET_DATA, SECCOMP_RET_ERRNO, SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD,
    SECCOMP_RET_LOG, SECCOMP_RET_TRACE, SECCOMP_RET_TRAP, SECCOMP_RET_USER_NOTIF,
    SECCOMP_SET_MODE_FILTER, SECCOMP_SET_MODE_STRICT, SYS_SECCOMP,
};
use syscalls::{nr, Errno};

/// Every flag Linux knows.
const FLAG_MASK: u32 = SECCOMP_FILTER_FLAG_TSYNC
    | SECCOMP_FILTER_FLAG_LOG
    | SECCOMP_FILTER_FLAG_SPEC_ALLOW
    | SECCOMP_FILTER_FLAG_NEW_LISTENER
    | SECCOMP_FILTER_FLAG_TSYNC_ESRCH
    | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;

/// Linux's MAX_ERRNO: the largest errno SECCOMP_RET_ERRNO returns.
const MAX_ERRNO: u32 = 4095;

/// Serialises every change of seccomp state (installs, TSYNC, inheritance
/// at clone) as Linux's siglock does, so that a TSYNC never overwrites a
/// filter another thread installed after the ancestry check.
static INSTALL: Mutex<()> = Mutex::new(());

fn install_lock() -> std::sync::MutexGuard<'static, ()> {
    INSTALL.lock().unwrap_or_else(|p| p.into_inner())
}

pub fn register(t: &mut Table) {
    t.set(
        nr::SECCOMP,
        sys_seccomp,
        Support::Partial(
            "strict mode and classic-BPF filters run by the sentry (stacking, TSYNC, all actions); \
             no user-notification listeners (NEW_LISTENER: EINVAL, USER_NOTIF: ENOSYS), TRACE as \
             with no tracer (ENOSYS), LOG/SPEC_ALLOW accepted without effect",
        ),
    );
}

impl From<FilterError> for Errno {
    fn from(e: FilterError) -> Errno {
        tracing::debug!("seccomp: filter refused: {e}");
        Errno::EINVAL
    }
}

fn sys_seccomp(t: &mut Task, a: &[u64; 6]) -> SysResult {
    do_seccomp(t, a[0] as u32, a[1] as u32, a[2])
}

fn do_seccomp(t: &mut Task, op: u32, flags: u32, uargs: u64) -> SysResult {
    match op {
        SECCOMP_SET_MODE_STRICT => {
            if flags != 0 || uargs != 0 {
                return Err(Errno::EINVAL);
            }
            set_strict(t)
        }
        SECCOMP_SET_MODE_FILTER => set_filter(t, flags, uargs),
        SECCOMP_GET_ACTION_AVAIL => {
            if flags != 0 {
                return Err(Errno::EINVAL);
            }
            let action: u32 = t.mm.read_obj(uargs)?;
            match action {
                SECCOMP_RET_KILL_PROCESS
                | SECCOMP_RET_KILL_THREAD
                | SECCOMP_RET_TRAP
                | SECCOMP_RET_ERRNO
                | SECCOMP_RET_USER_NOTIF
                | SECCOMP_RET_TRACE
                | SECCOMP_RET_LOG
                | SECCOMP_RET_ALLOW => Ok(0),
                _ => Err(Errno::EOPNOTSUPP),
            }
        }
        SECCOMP_GET_NOTIF_SIZES => {
            if flags != 0 {
                return Err(Errno::EINVAL);
            }
            // struct seccomp_notif_sizes: seccomp_notif, seccomp_notif_resp,
            // seccomp_data (the sizes of Linux's structures).
            let sizes: [u16; 3] = [80, 24, 64];
            let mut buf = [0u8; 6];
            for (c, v) in buf.chunks_exact_mut(2).zip(sizes) {
                c.copy_from_slice(&v.to_le_bytes());
            }
            t.mm.copy_out(uargs, &buf)?;
            Ok(0)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// prctl(PR_SET_SECCOMP, mode, filter).
pub fn prctl_set_seccomp(t: &mut Task, mode: u64, filter: u64) -> SysResult {
    match mode {
        m if m == u64::from(SECCOMP_MODE_STRICT) => do_seccomp(t, SECCOMP_SET_MODE_STRICT, 0, 0),
        m if m == u64::from(SECCOMP_MODE_FILTER) => {
            do_seccomp(t, SECCOMP_SET_MODE_FILTER, 0, filter)
        }
        _ => Err(Errno::EINVAL),
    }
}

/// prctl(PR_GET_SECCOMP). (A task in strict mode never gets here: prctl
/// kills it.)
pub fn prctl_get_seccomp(t: &Task) -> SysResult {
    Ok(u64::from(t.shared.seccomp.mode().as_u32()))
}

/// A new task's seccomp state: the parent's (fork, clone). Call after the
/// child is registered in its thread group, so a concurrent TSYNC either
/// reaches the child or has already changed the parent.
pub fn inherit(parent: &TaskShared, child: &TaskShared) {
    let _g = install_lock();
    child.seccomp.inherit_from(&parent.seccomp);
}

/// Put `t` under the container's seccomp filter (OCI linux.seccomp), if
/// the sandbox has one, stacked on any filter it already has.
pub fn install_container_filter(t: &Task) {
    let Some(f) = &t.k.container_seccomp else {
        return;
    };
    let _g = install_lock();
    let mut cell = t.shared.seccomp.lock();
    let filter = match &cell.state().filter {
        None => f.clone(),
        Some(prev) => Arc::new(Filter {
            prog: f.prog.clone(),
            log: f.log,
            prev: Some(prev.clone()),
        }),
    };
    cell.set(State {
        mode: Mode::Filter,
        filter: Some(filter),
    });
}

/// How the exec that starts a CLI-started process fares under the
/// container's filter: runc's execve runs under it, so a profile can
/// refuse it (`Err(Some(errno))`: runc reports "exec PATH: <error>") or
/// kill the process (`Err(None)`: SIGSYS). The sentry loads the program
/// itself, so it asks the filter here.
pub fn container_exec_verdict(t: &Task) -> Result<(), Option<Errno>> {
    let Some(f) = &t.k.container_seccomp else {
        return Ok(());
    };
    let data = SeccompData {
        nr: nr::EXECVE as i32,
        arch: AUDIT_ARCH_X86_64,
        instruction_pointer: 0,
        args: [0; 6],
    };
    let (ret, _) = f.evaluate(&data);
    match ret & SECCOMP_RET_ACTION_FULL {
        SECCOMP_RET_ALLOW | SECCOMP_RET_LOG => Ok(()),
        SECCOMP_RET_ERRNO => {
            let e = (ret & SECCOMP_RET_DATA).min(MAX_ERRNO) as i32;
            Err(Some(Errno::from_i32(e).unwrap_or(Errno::EPERM)))
        }
        SECCOMP_RET_TRACE | SECCOMP_RET_USER_NOTIF => Err(Some(Errno::ENOSYS)),
        _ => Err(None),
    }
}

fn set_strict(t: &mut Task) -> SysResult {
    let _g = install_lock();
    let mut cell = t.shared.seccomp.lock();
    if !matches!(cell.state().mode, Mode::Disabled | Mode::Strict) {
        return Err(Errno::EINVAL);
    }
    cell.set(State {
        mode: Mode::Strict,
        filter: None,
    });
    Ok(0)
}

/// `struct sock_fprog`: a 16-bit length, padding, the instructions' address.
fn read_fprog(t: &Task, uargs: u64) -> Result<(usize, u64), Errno> {
    let mut raw = [0u8; 16];
    t.mm.copy_in(uargs, &mut raw)?;
    let len = u16::from_le_bytes([raw[0], raw[1]]) as usize;
    let mut p = [0u8; 8];
    p.copy_from_slice(&raw[8..16]);
    Ok((len, u64::from_le_bytes(p)))
}

fn set_filter(t: &mut Task, flags: u32, uargs: u64) -> SysResult {
    if flags & !FLAG_MASK != 0 {
        return Err(Errno::EINVAL);
    }
    let tsync = flags & SECCOMP_FILTER_FLAG_TSYNC != 0;
    let esrch = flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH != 0;
    let listener = flags & SECCOMP_FILTER_FLAG_NEW_LISTENER != 0;
    if tsync && listener && !esrch {
        return Err(Errno::EINVAL);
    }
    if flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV != 0 && !listener {
        return Err(Errno::EINVAL);
    }
    if listener {
        // No user-notification listeners (see the module comment).
        return Err(Errno::EINVAL);
    }
    // seccomp_prepare_user_filter, in Linux's order.
    let (len, insns_addr) = read_fprog(t, uargs)?;
    if len == 0 || len > MAX_INSNS {
        return Err(Errno::EINVAL);
    }
    if !t.extras.no_new_privs && !super::identity::capable(t) {
        return Err(Errno::EACCES);
    }
    if insns_addr == 0 {
        return Err(Errno::EINVAL);
    }
    let bytes = t.mm.read_bytes(insns_addr, len * SockFilter::SIZE)?;
    let prog = Program::new(&SockFilter::parse(&bytes))?;
    attach(t, prog, flags)
}

/// seccomp_attach_filter under the install lock.
fn attach(t: &mut Task, prog: Program, flags: u32) -> SysResult {
    let _g = install_lock();
    let cur = t.shared.seccomp.get();
    if !matches!(cur.mode, Mode::Disabled | Mode::Filter) {
        return Err(Errno::EINVAL);
    }
    let total = prog.len() + cur.filter.as_ref().map_or(0, |f| f.path_len());
    if total > MAX_INSNS_PER_PATH {
        return Err(Errno::ENOMEM);
    }
    let tsync = flags & SECCOMP_FILTER_FLAG_TSYNC != 0;
    let others: Vec<Arc<TaskShared>> = if tsync {
        t.shared
            .group
            .members()
            .iter()
            .filter(|m| m.tid != t.tid && !m.seccomp.is_exiting())
            .cloned()
            .collect()
    } else {
        Vec::new()
    };
    if let Some(failed) = others.iter().find(|m| !can_sync(&m.seccomp, &cur)) {
        if flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH != 0 {
            return Err(Errno::ESRCH);
        }
        return Ok(failed.tid as u64);
    }
    let filter = Arc::new(Filter {
        prog,
        log: flags & SECCOMP_FILTER_FLAG_LOG != 0,
        prev: cur.filter,
    });
    let st = State {
        mode: Mode::Filter,
        filter: Some(filter),
    };
    for m in &others {
        m.seccomp.lock().set(st.clone());
        if t.extras.no_new_privs {
            m.seccomp.give_no_new_privs();
        }
    }
    t.shared.seccomp.lock().set(st);
    Ok(0)
}

/// Linux's seccomp_can_sync_threads for one thread: it has no filter, or
/// only filters the caller also has.
fn can_sync(other: &SeccompCell, caller: &State) -> bool {
    let o = other.get();
    match o.mode {
        Mode::Disabled => true,
        Mode::Strict => false,
        Mode::Filter => match (&o.filter, &caller.filter) {
            (None, _) => true,
            (Some(anc), Some(mine)) => mine.has_ancestor(anc),
            (Some(_), None) => false,
        },
    }
}

/// Run the task's seccomp policy for the syscall it is entering. `None`:
/// let it run; `Some(result)`: it was refused, with this result (a trap or
/// kill has already been arranged, with `regs_replaced` set).
pub fn check(t: &mut Task, nr: u64, args: &[u64; 6]) -> Option<SysResult> {
    match t.shared.seccomp.mode() {
        Mode::Disabled => None,
        Mode::Strict => strict(t, nr),
        Mode::Filter => {
            // Another thread's TSYNC (which made this task filtered) may have
            // given it no_new_privs: take it before the syscall can look.
            if t.shared.seccomp.take_no_new_privs() {
                t.extras.no_new_privs = true;
            }
            filter(t, nr, args)
        }
    }
}

/// Strict mode: read, write, exit and rt_sigreturn only; anything else
/// kills the thread with SIGKILL (Linux: do_exit(SIGKILL)).
fn strict(t: &mut Task, nr: u64) -> Option<SysResult> {
    const ALLOWED: [usize; 4] = [nr::READ, nr::WRITE, nr::EXIT, nr::RT_SIGRETURN];
    if ALLOWED.iter().any(|&n| n as u64 == nr) {
        return None;
    }
    t.exit = Some(ExitStatus::Signaled {
        signal: libc::SIGKILL,
        core: false,
    });
    t.regs_replaced = true;
    Some(Ok(0))
}

fn filter(t: &mut Task, nr: u64, args: &[u64; 6]) -> Option<SysResult> {
    let f = t.shared.seccomp.get().filter?;
    let data = SeccompData {
        nr: nr as i32,
        arch: AUDIT_ARCH_X86_64,
        instruction_pointer: t.regs.rip,
        args: *args,
    };
    let (ret, _log) = f.evaluate(&data);
    let value = ret & SECCOMP_RET_DATA;
    match ret & SECCOMP_RET_ACTION_FULL {
        SECCOMP_RET_ALLOW | SECCOMP_RET_LOG => None,
        SECCOMP_RET_ERRNO => {
            let e = value.min(MAX_ERRNO);
            Some(match Errno::from_i32(e as i32) {
                Some(errno) => Err(errno),
                None => Ok((-i64::from(e)) as u64),
            })
        }
        SECCOMP_RET_TRAP => {
            // Linux rolls rax back to the syscall number for the handler.
            t.regs.rax = t.regs.orig_rax;
            let mut info = Siginfo::sigsys(SYS_SECCOMP, t.regs.rip, nr as i32, AUDIT_ARCH_X86_64);
            info.set_errno(value as i32);
            t.force_signal(libc::SIGSYS, info);
            t.regs_replaced = true;
            Some(Ok(0))
        }
        // No tracer and no listener can exist in the sandbox.
        SECCOMP_RET_TRACE | SECCOMP_RET_USER_NOTIF => Some(Err(Errno::ENOSYS)),
        action => {
            let status = ExitStatus::Signaled {
                signal: libc::SIGSYS,
                core: false,
            };
            let alone = t.shared.group.members().len() <= 1;
            if action == SECCOMP_RET_KILL_THREAD && !alone {
                // This thread only (Linux: do_exit(SIGSYS)).
                t.exit = Some(status);
            } else {
                // KILL_PROCESS, an unknown action, or the last thread.
                t.exit_group(status);
            }
            t.regs_replaced = true;
            Some(Ok(0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::seccomp::action_rank;

    #[test]
    fn rank_order_matches_linux() {
        let order = [
            SECCOMP_RET_KILL_PROCESS,
            SECCOMP_RET_KILL_THREAD,
            SECCOMP_RET_TRAP,
            SECCOMP_RET_ERRNO,
            SECCOMP_RET_USER_NOTIF,
            SECCOMP_RET_TRACE,
            SECCOMP_RET_LOG,
            SECCOMP_RET_ALLOW,
        ];
        for w in order.windows(2) {
            assert!(action_rank(w[0]) < action_rank(w[1]));
        }
        assert_eq!(action_rank(SECCOMP_RET_ALLOW), SECCOMP_RET_ALLOW as i32);
    }
}
