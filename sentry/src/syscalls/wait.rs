//! Syscall handlers: wait4, waitid.

use super::{Support, SysResult, Table};
use crate::kernel::procs::{ChildEvent, Reaped, WaitFor, WaitOptions};
use crate::kernel::task::Task;
use crate::kernel::ExitStatus;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    let note = "rusage as getrusage (see there)";
    let waitid_note = "rusage as getrusage (see there); P_PIDFD honours PIDFD_NONBLOCK";
    t.set(nr::WAIT4, sys_wait4, Support::Partial(note));
    t.set(nr::WAITID, sys_waitid, Support::Partial(waitid_note));
}

const WNOHANG: u64 = 1;
const WUNTRACED: u64 = 2;
const WEXITED: u64 = 4;
const WCONTINUED: u64 = 8;
const WNOWAIT: u64 = 0x0100_0000;
const WNOTHREAD: u64 = 0x2000_0000;
const WALL: u64 = 0x4000_0000;
const WCLONE: u64 = 0x8000_0000;

fn clone_filter(options: u64) -> Option<bool> {
    if options & WALL != 0 {
        None
    } else {
        Some(options & WCLONE != 0)
    }
}

fn sys_wait4(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (pid, status_ptr, options, rusage) = (a[0] as i32, a[1], a[2], a[3]);
    if options & !(WNOHANG | WUNTRACED | WCONTINUED | WNOTHREAD | WALL | WCLONE) != 0 {
        return Err(Errno::EINVAL);
    }
    let which = match pid {
        -1 => WaitFor::Any,
        0 => WaitFor::Pgid(pgid_of(t)),
        p if p < -1 => WaitFor::Pgid(p.checked_neg().ok_or(Errno::ESRCH)?),
        p => WaitFor::Pid(p),
    };
    let o = WaitOptions {
        exited: true,
        stopped: options & WUNTRACED != 0,
        continued: options & WCONTINUED != 0,
        nohang: options & WNOHANG != 0,
        reap: true,
        want_clone: clone_filter(options),
    };
    match t.k.procs.wait(t.tgid, which, o)? {
        None => Ok(0),
        Some(r) => {
            if status_ptr != 0 {
                let status = match r.event {
                    ChildEvent::Exited(st) => st.wait_status(),
                    ChildEvent::Stopped(sig) => (sig << 8) | 0x7f,
                    ChildEvent::Continued => 0xffff,
                };
                t.mm.write_obj(status_ptr, &status)?;
            }
            if rusage != 0 {
                t.mm.write_obj(rusage, &reaped_usage(t, &r).to_rusage())?;
            }
            Ok(r.pid as u64)
        }
    }
}

fn pgid_of(t: &Task) -> i32 {
    t.k.procs
        .lock()
        .procs
        .get(&t.tgid)
        .map(|p| p.pgid)
        .unwrap_or(t.tgid)
}

const P_ALL: u64 = 0;
const P_PID: u64 = 1;
const P_PGID: u64 = 2;
const P_PIDFD: u64 = 3;

fn sys_waitid(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (idtype, id, infop, options, rusage) = (a[0], a[1] as i32, a[2], a[3], a[4]);
    if options & !(WNOHANG | WEXITED | WUNTRACED | WCONTINUED | WNOWAIT | WNOTHREAD | WALL | WCLONE)
        != 0
        || options & (WEXITED | WUNTRACED | WCONTINUED) == 0
    {
        return Err(Errno::EINVAL);
    }
    let mut pidfd_nonblock = false;
    let which = match idtype {
        P_ALL => WaitFor::Any,
        P_PID if id > 0 => WaitFor::Pid(id),
        P_PGID if id > 0 => WaitFor::Pgid(id),
        P_PGID if id == 0 => WaitFor::Pgid(pgid_of(t)),
        P_PIDFD => {
            let (pid, _, f) = super::pidfd::pidfd_target(t, id)?;
            pidfd_nonblock = f.flags() & syscalls::consts::O_NONBLOCK != 0;
            WaitFor::Pid(pid)
        }
        _ => return Err(Errno::EINVAL),
    };
    let o = WaitOptions {
        exited: options & WEXITED != 0,
        stopped: options & WUNTRACED != 0,
        continued: options & WCONTINUED != 0,
        nohang: options & WNOHANG != 0 || pidfd_nonblock,
        reap: options & WNOWAIT == 0,
        want_clone: clone_filter(options),
    };
    let got = t.k.procs.wait(t.tgid, which, o)?;
    if got.is_none() && pidfd_nonblock && options & WNOHANG == 0 {
        // A non-blocking pidfd makes waitid fail instead of blocking.
        return Err(Errno::EAGAIN);
    }
    let mut si = syscalls::abi::Siginfo::default();
    let mut usage = crate::kernel::usage::Usage::default();
    if let Some(r) = got {
        usage = reaped_usage(t, &r);
        let (code, status) = match r.event {
            ChildEvent::Exited(ExitStatus::Exited(c)) => (libc::CLD_EXITED, c),
            ChildEvent::Exited(ExitStatus::Signaled { signal, core: true }) => {
                (libc::CLD_DUMPED, signal)
            }
            ChildEvent::Exited(ExitStatus::Signaled { signal, .. }) => (libc::CLD_KILLED, signal),
            ChildEvent::Stopped(sig) => (libc::CLD_STOPPED, sig),
            ChildEvent::Continued => (libc::CLD_CONTINUED, libc::SIGCONT),
        };
        si = syscalls::abi::Siginfo::sigchld(code, r.pid, 0, status, 0, 0);
    }
    if infop != 0 {
        t.mm.write_obj(infop, &si)?;
    }
    if rusage != 0 {
        t.mm.write_obj(rusage, &usage.to_rusage())?;
    }
    Ok(0)
}

/// What wait reports as the child's rusage: its own and its children's.
fn reaped_usage(t: &Task, r: &Reaped) -> crate::kernel::usage::Usage {
    match r.event {
        ChildEvent::Exited(_) => r.usage,
        _ => super::usage::live_usage(&t.k, r.pid),
    }
}
