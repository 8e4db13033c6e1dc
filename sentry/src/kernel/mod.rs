//! The kernel proper (DESIGN §7): the sandbox-wide [`Kernel`] state and
//! [`task::Task`], one per app thread, each run by its own sentry OS thread.

pub mod boot;
pub mod control;
pub mod futex;
pub mod ipc;
pub mod procs;
pub mod seccomp;
pub mod signal;
pub mod task;
pub mod timers;
pub mod usage;
pub mod wait;

use crate::mm::memfile::MemoryFile;
use crate::platform::ptrace::StubFactory;
use crate::vfs::Vfs;
use std::sync::Arc;
use std::time::Instant;

/// Sandbox-wide state shared by every task.
pub struct Kernel {
    pub mf: Arc<MemoryFile>,
    pub stubs: StubFactory,
    /// The vDSO page shared by every process.
    pub vdso: Arc<crate::mm::object::MemObject>,
    pub vfs: Arc<Vfs>,
    /// Log every syscall in gVisor's strace format.
    pub strace: bool,
    pub boot: Instant,
    pub hostname: std::sync::Mutex<Vec<u8>>,
    pub domainname: std::sync::Mutex<Vec<u8>>,
    /// Pids, parents, zombies.
    pub procs: procs::ProcTable,
    /// Live tasks by tid (signal targets).
    pub tasks: signal::Registry,
    /// Futex wait queues.
    pub futexes: futex::Futexes,
    /// Interval and POSIX timers.
    pub timers: timers::TimerService,
    /// `runsc pause`/`resume`.
    pub freezer: control::Freezer,
    /// The container's seccomp filter (OCI linux.seccomp) for the
    /// processes the CLI starts (init, `runsc exec`).
    pub container_seccomp: Option<Arc<seccomp::Filter>>,
}

/// How a task (thread group) ended, as wait(2) would report it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Exited(i32),
    Signaled { signal: i32, core: bool },
}

impl ExitStatus {
    /// The wait(2) status word.
    pub fn wait_status(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => (c & 0xff) << 8,
            ExitStatus::Signaled { signal, core } => (signal & 0x7f) | if core { 0x80 } else { 0 },
        }
    }

    /// The status a shell would report: the code, or 128+signal.
    pub fn shell_code(self) -> i32 {
        match self {
            ExitStatus::Exited(c) => c & 0xff,
            ExitStatus::Signaled { signal, .. } => 128 + signal,
        }
    }
}
