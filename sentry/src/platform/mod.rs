//! Platforms: how app code runs and how its syscalls and faults reach the sentry.
//!
//! The kernel never calls ptrace directly. A [`Context`] runs app code for one
//! task until it traps ([`Event`]); address-space changes are issued through
//! the same context (on ptrace they are syscalls injected into the stub, so they
//! must come from the tracer thread, which is the task's own sentry thread).

pub mod ptrace;

/// The app's general-purpose register file, in the kernel's `user_regs_struct` layout.
pub type Regs = libc::user_regs_struct;

/// Lowest address the stub occupies; app mappings must end at or below it.
pub const STUB_ADDR: u64 = 0x7fff_fff0_0000;
/// Size of the stub code mapping.
pub const STUB_SIZE: u64 = 0x1000;
/// Highest user address + 1 on x86_64 with 4-level paging (Linux's TASK_SIZE).
pub const TASK_SIZE: u64 = 0x7fff_ffff_f000;
/// The highest address an app mapping may reach (exclusive).
pub const MAX_APP_ADDR: u64 = STUB_ADDR;

/// Why app execution stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The app made a syscall; the number is in `orig_rax`, args in the usual registers.
    Syscall,
    /// A memory fault at `addr`; `code` is the host's si_code (SEGV_MAPERR/ACCERR, BUS_*).
    Fault { signal: i32, addr: u64, code: i32 },
    /// A synchronous host signal other than a memory fault (SIGILL, SIGFPE, SIGTRAP, ...).
    Signal { signal: i32, code: i32, addr: u64 },
    /// The context was interrupted by [`Context::interrupt`] or an external stop.
    Interrupted,
    /// The stub died (it was killed from outside the sandbox).
    Died,
}

/// Errors of the platform itself (the host refused something). These are
/// sandbox failures, not app errors.
#[derive(Debug, thiserror::Error)]
pub enum PlatformError {
    #[error("host call {call} failed: {errno}")]
    Host {
        call: &'static str,
        errno: nix::errno::Errno,
    },
    #[error("stub process died unexpectedly")]
    StubDied,
    #[error("unexpected stub stop: {0}")]
    Unexpected(String),
}

/// Protection bits as in mmap(2).
pub type Prot = i32;
