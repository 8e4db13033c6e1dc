//! Syscall handlers, one file per family, and the table that maps each
//! number to its handler and support level (the compatibility report is
//! generated from it: `runsc syscalls`).
//!
//! Handlers are thin: decode and validate arguments, call into mm/vfs/kernel,
//! and return `Ok(value)` or `Err(errno)`; the errno conversion happens once,
//! in [`dispatch`].

pub mod caps;
pub mod fdkinds;
pub mod file;
pub mod fs;
pub mod futex;
pub mod identity;
pub mod inotify;
pub mod membarrier;
pub mod mmap;
pub mod mount;
pub mod mqueue;
pub mod msg;
pub mod net;
pub mod pidfd;
pub mod poll;
pub mod prctl;
pub mod process;
pub mod report;
pub mod rlimit;
pub mod sched;
pub mod seccomp;
pub mod sem;
pub mod shm;
pub mod signal;
pub mod splice;
pub mod system;
pub mod time;
pub mod timer;
pub mod usage;
pub mod wait;
pub mod xattr;

use crate::kernel::task::Task;
use std::sync::{LazyLock, Mutex};
use syscalls::nr::NR_SYSCALLS;
use syscalls::Errno;

pub type SysResult = Result<u64, Errno>;
pub type Handler = fn(&mut Task, &[u64; 6]) -> SysResult;

/// How well a syscall is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Support {
    /// Implemented as Linux behaves.
    Full,
    /// Implemented, with the listed gaps.
    Partial(&'static str),
    /// Deliberately returns this errno (e.g. rseq → ENOSYS as gVisor does).
    Errno(Errno, &'static str),
    /// Not implemented: ENOSYS, logged once.
    Missing,
}

#[derive(Clone, Copy)]
pub struct Entry {
    pub handler: Option<Handler>,
    pub support: Support,
}

pub struct Table {
    entries: Vec<Entry>,
}

impl Table {
    /// Register a handler.
    pub fn set(&mut self, nr: usize, handler: Handler, support: Support) {
        if let Some(e) = self.entries.get_mut(nr) {
            *e = Entry {
                handler: Some(handler),
                support,
            };
        }
    }

    /// Register a syscall that always fails with `errno`.
    pub fn errno(&mut self, nr: usize, errno: Errno, why: &'static str) {
        if let Some(e) = self.entries.get_mut(nr) {
            *e = Entry {
                handler: None,
                support: Support::Errno(errno, why),
            };
        }
    }

    pub fn get(&self, nr: u64) -> Option<&Entry> {
        self.entries.get(usize::try_from(nr).ok()?)
    }

    /// Every slot, by number.
    pub fn entries(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.entries.iter().enumerate()
    }
}

/// The syscall table.
pub static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut t = Table {
        entries: vec![
            Entry {
                handler: None,
                support: Support::Missing
            };
            NR_SYSCALLS
        ],
    };
    caps::register(&mut t);
    fdkinds::register(&mut t);
    file::register(&mut t);
    fs::register(&mut t);
    xattr::register(&mut t);
    futex::register(&mut t);
    identity::register(&mut t);
    system::register(&mut t);
    rlimit::register(&mut t);
    prctl::register(&mut t);
    sched::register_affinity(&mut t);
    inotify::register(&mut t);
    membarrier::register(&mut t);
    mmap::register(&mut t);
    mount::register(&mut t);
    msg::register(&mut t);
    mqueue::register(&mut t);
    pidfd::register(&mut t);
    poll::register(&mut t);
    process::register(&mut t);
    seccomp::register(&mut t);
    sched::register(&mut t);
    sem::register(&mut t);
    shm::register(&mut t);
    signal::register(&mut t);
    net::register(&mut t);
    splice::register(&mut t);
    time::register(&mut t);
    timer::register(&mut t);
    usage::register(&mut t);
    wait::register(&mut t);
    t
});

/// Numbers already reported as unimplemented (logged once each).
static REPORTED: Mutex<Vec<u64>> = Mutex::new(Vec::new());

fn report_missing(nr: u64) {
    let mut r = REPORTED.lock().unwrap_or_else(|p| p.into_inner());
    if !r.contains(&nr) && r.len() < 1024 {
        r.push(nr);
        tracing::warn!(
            "unimplemented syscall {} ({nr}): returning ENOSYS",
            syscalls::nr::name(nr).unwrap_or("unknown")
        );
    }
}

fn run_handler(t: &mut Task, nr: u64, args: &[u64; 6]) -> SysResult {
    match TABLE.get(nr) {
        Some(Entry {
            handler: Some(h), ..
        }) => h(t, args),
        Some(Entry {
            support: Support::Errno(e, _),
            ..
        }) => Err(*e),
        _ => {
            report_missing(nr);
            Err(Errno::ENOSYS)
        }
    }
}

/// Handle the syscall the task just made and store its result in rax.
pub fn dispatch(t: &mut Task) {
    let nr = t.regs.orig_rax;
    let args = t.args();
    let strace = t.k.strace;
    let start = strace.then(|| {
        crate::strace::entry(t, nr, &args);
        std::time::Instant::now()
    });
    // Seccomp runs after the tracer's entry report, as in Linux.
    let res = match seccomp::check(t, nr, &args) {
        Some(refused) => refused,
        None => run_handler(t, nr, &args),
    };
    let ret = match res {
        Ok(v) => v,
        Err(e) => {
            if matches!(
                e,
                Errno::ERESTARTSYS
                    | Errno::ERESTARTNOINTR
                    | Errno::ERESTARTNOHAND
                    | Errno::ERESTART_RESTARTBLOCK
            ) {
                // Finished by signal delivery: restarted or EINTR.
                t.restart = Some(e);
            }
            e.as_ret()
        }
    };
    tracing::trace!(
        "syscall {} {:x?} = {:#x}",
        syscalls::nr::name(nr).unwrap_or("?"),
        args,
        ret
    );
    if let Some(start) = start {
        crate::strace::exit(t, nr, &args, ret, start.elapsed());
    }
    if crate::compat::enabled() {
        // Replaced registers (execve, sigreturn): no return value to judge.
        crate::compat::record(nr, &args, if t.regs_replaced { 0 } else { ret });
    }
    // Other tasks read the uid/capability mirror; only calls that change
    // credentials need to refresh it.
    if matches!(
        nr as usize,
        syscalls::nr::SETUID
            | syscalls::nr::SETGID
            | syscalls::nr::SETREUID
            | syscalls::nr::SETREGID
            | syscalls::nr::SETRESUID
            | syscalls::nr::SETRESGID
            | syscalls::nr::SETFSUID
            | syscalls::nr::SETFSGID
            | syscalls::nr::CAPSET
            | syscalls::nr::PRCTL
            | syscalls::nr::EXECVE
            | syscalls::nr::EXECVEAT
    ) {
        sched::mirror_uids(t);
    }
    // What procfs shows of this task (comm, creds, limits, mm, files).
    crate::fs::proc::sync_view(t);
    if t.regs_replaced {
        t.regs_replaced = false;
    } else {
        t.regs.rax = ret;
    }
}
