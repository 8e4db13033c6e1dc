//! The sentry's syscall allowlist: reviewed data, one entry per syscall with
//! the reason the sentry (or a stub process forked from it, which inherits the
//! filter) needs it. Found by running the systests suite (conformance,
//! python, workloads, stress) with `seccomp = "log"` and reading the audit log.
//!
//! App syscalls never reach this filter: stubs run app code under
//! PTRACE_SYSEMU, which stops before the kernel evaluates seccomp. What a stub
//! executes itself (its setup and the syscalls the sentry injects, see
//! `STUB_ALLOWED` in sentry/src/platform/ptrace/stubcode.rs) must be allowed
//! here as well, since filters stack.

use super::Arg;

/// (syscall, argument restriction, reason).
pub(super) type Entry = (i64, Arg, &'static str);

/// Namespace-creating clone flags: the sentry never creates namespaces
/// after it is confined.
const CLONE_NEW_MASK: u64 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWCGROUP
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET) as u64;

/// prctl operations the sentry and its stubs use.
const PRCTL_OPS: &[u64] = &[
    libc::PR_SET_PDEATHSIG as u64,    // stub processes die with the sentry
    libc::PR_SET_NAME as u64,         // thread names (std::thread::Builder::name)
    libc::PR_GET_NAME as u64,         // thread names
    libc::PR_SET_NO_NEW_PRIVS as u64, // the stub entry, before its own filter
    libc::PR_GET_NO_NEW_PRIVS as u64, // mirrored into the emulated prctl
    libc::PR_GET_DUMPABLE as u64,     // glibc / mirrored state
    libc::PR_CAPBSET_READ as u64,     // the emulated capability bounding set
    libc::PR_SET_VMA as u64,          // glibc names anonymous mappings
];

pub(super) const SENTRY: &[Entry] = &[
    // --- memory -------------------------------------------------------------
    (
        libc::SYS_mmap,
        Arg::Any,
        "map the memory file and allocator memory; stubs map app ranges",
    ),
    (
        libc::SYS_munmap,
        Arg::Any,
        "unmap; stubs wipe their inherited address space",
    ),
    (
        libc::SYS_mprotect,
        Arg::Any,
        "allocator guard pages; stubs change app protections",
    ),
    (
        libc::SYS_madvise,
        Arg::Any,
        "release memory-file pages and host page tables",
    ),
    (
        libc::SYS_mremap,
        Arg::Any,
        "allocator growth of large buffers",
    ),
    (libc::SYS_brk, Arg::Any, "glibc malloc's main arena"),
    (
        libc::SYS_membarrier,
        Arg::Any,
        "stubs register for expedited barriers (app membarrier)",
    ),
    (
        libc::SYS_mincore,
        Arg::Any,
        "residency of memory-file pages (the app's mincore)",
    ),
    (
        libc::SYS_memfd_create,
        Arg::Any,
        "the sandbox memory file and the stub code page",
    ),
    (libc::SYS_ftruncate, Arg::Any, "size the memory file"),
    (
        libc::SYS_fallocate,
        Arg::Any,
        "punch holes into the memory file (freeing app memory)",
    ),
    // --- fds: donated host files, gofer channels, the memory file ----------
    (
        libc::SYS_read,
        Arg::Any,
        "donated fds (files, pipes, terminals), gofer channels",
    ),
    (libc::SYS_write, Arg::Any, "donated fds, logs"),
    (
        libc::SYS_pread64,
        Arg::Any,
        "donated files and the memory file",
    ),
    (
        libc::SYS_pwrite64,
        Arg::Any,
        "donated files and the memory file",
    ),
    (libc::SYS_readv, Arg::Any, "vectored I/O on donated fds"),
    (libc::SYS_writev, Arg::Any, "vectored I/O on donated fds"),
    (libc::SYS_preadv, Arg::Any, "vectored I/O on donated files"),
    (libc::SYS_pwritev, Arg::Any, "vectored I/O on donated files"),
    (
        libc::SYS_lseek,
        Arg::Any,
        "donated files (append position, SEEK_DATA/HOLE)",
    ),
    (libc::SYS_fstat, Arg::Any, "size and type of donated fds"),
    (
        libc::SYS_newfstatat,
        Arg::Any,
        "fstat through glibc (AT_EMPTY_PATH on an fd)",
    ),
    (
        libc::SYS_statx,
        Arg::Any,
        "std's metadata() on donated fds (AT_EMPTY_PATH)",
    ),
    (libc::SYS_fstatfs, Arg::Any, "statfs of donated files"),
    (
        libc::SYS_fcntl,
        Arg::Any,
        "fd flags (O_NONBLOCK, CLOEXEC), locks on donated files",
    ),
    (
        libc::SYS_ioctl,
        Arg::Any,
        "terminal ioctls on the donated console, FIONREAD",
    ),
    (libc::SYS_close, Arg::Any, "close fds"),
    (
        libc::SYS_openat,
        Arg::Any,
        "answered ENOENT by the errno filter (see ENOENT below)",
    ),
    (
        libc::SYS_open,
        Arg::Any,
        "answered ENOENT by the errno filter (see ENOENT below)",
    ),
    (
        libc::SYS_close_range,
        Arg::Any,
        "stub setup closes every inherited fd",
    ),
    (libc::SYS_dup, Arg::Any, "duplicate donated fds"),
    (
        libc::SYS_dup3,
        Arg::Any,
        "stub setup moves the memory file to fd 0",
    ),
    (libc::SYS_fsync, Arg::Any, "fsync of donated files"),
    (libc::SYS_fdatasync, Arg::Any, "fdatasync of donated files"),
    (
        libc::SYS_getdents64,
        Arg::Any,
        "directory listing of donated directory fds",
    ),
    (libc::SYS_pipe2, Arg::Any, "internal wake-up pipes"),
    (libc::SYS_eventfd2, Arg::Any, "internal wake-ups"),
    // --- waiting on fds -----------------------------------------------------
    (
        libc::SYS_poll,
        Arg::Any,
        "wait on donated fds and gofer channels",
    ),
    (
        libc::SYS_ppoll,
        Arg::Any,
        "wait on donated fds and gofer channels",
    ),
    (
        libc::SYS_epoll_create1,
        Arg::Any,
        "host readiness of donated fds",
    ),
    (
        libc::SYS_epoll_ctl,
        Arg::Any,
        "host readiness of donated fds",
    ),
    (
        libc::SYS_epoll_wait,
        Arg::Any,
        "host readiness of donated fds",
    ),
    (
        libc::SYS_epoll_pwait,
        Arg::Any,
        "host readiness of donated fds",
    ),
    // --- gofer channels (unix sockets) --------------------------------------
    (libc::SYS_sendmsg, Arg::Any, "gofer requests, fd passing"),
    (
        libc::SYS_recvmsg,
        Arg::Any,
        "gofer replies with donated fds (SCM_RIGHTS)",
    ),
    (
        libc::SYS_sendto,
        Arg::Any,
        "send on gofer channels and donated sockets",
    ),
    (
        libc::SYS_recvfrom,
        Arg::Any,
        "receive on gofer channels and donated sockets",
    ),
    (libc::SYS_shutdown, Arg::Any, "donated sockets"),
    (
        libc::SYS_accept4,
        Arg::Any,
        "connections on the control socket (listening before confinement) from runsc verbs",
    ),
    (
        libc::SYS_socketpair,
        Arg::Eq(0, libc::AF_UNIX as u64),
        "internal channels (unix only)",
    ),
    // --- threads, processes (tracer threads and stubs) ----------------------
    (
        libc::SYS_clone,
        Arg::MaskedZero(0, CLONE_NEW_MASK),
        "sentry threads, stub processes and stub threads; never new namespaces",
    ),
    (
        libc::SYS_clone3,
        Arg::Any,
        "allowed here, refused with ENOSYS by the second filter (glibc falls back to clone)",
    ),
    (libc::SYS_futex, Arg::Any, "locks and condition variables"),
    (libc::SYS_set_robust_list, Arg::Any, "glibc thread start"),
    (
        libc::SYS_rseq,
        Arg::Any,
        "glibc thread start; stubs unregister it",
    ),
    (libc::SYS_set_tid_address, Arg::Any, "thread start"),
    (libc::SYS_exit, Arg::Any, "thread exit; stub thread exit"),
    (
        libc::SYS_exit_group,
        Arg::Any,
        "the sandbox exits with the init's status",
    ),
    (libc::SYS_gettid, Arg::Any, "thread ids (ptrace, tgkill)"),
    (libc::SYS_getpid, Arg::Any, "stub self-stop; tgkill"),
    (libc::SYS_getppid, Arg::Any, "parent checks"),
    (
        libc::SYS_kill,
        Arg::Any,
        "kill stub processes; the sentry re-raises the init's fatal signal",
    ),
    (
        libc::SYS_tgkill,
        Arg::Any,
        "interrupt tracer threads and stub threads",
    ),
    (libc::SYS_tkill, Arg::Any, "interrupt threads"),
    (
        libc::SYS_setsid,
        Arg::Any,
        "a new stub leaves the sentry's session (the console's signals are the sentry's)",
    ),
    (
        libc::SYS_ptrace,
        Arg::Any,
        "the ptrace platform: tracer threads drive the stubs",
    ),
    (
        libc::SYS_wait4,
        Arg::Any,
        "tracer threads wait for stub stops; reap stubs",
    ),
    (libc::SYS_waitid, Arg::Any, "reap stubs"),
    (libc::SYS_pause, Arg::Any, "stub threads wait to be seized"),
    (libc::SYS_sched_yield, Arg::Any, "spin-wait back-off"),
    (
        libc::SYS_sched_rr_get_interval,
        Arg::Any,
        "the host's round-robin quantum for the emulated call",
    ),
    (
        libc::SYS_sched_getaffinity,
        Arg::Any,
        "available_parallelism; emulated sched_getaffinity",
    ),
    (
        libc::SYS_sched_setaffinity,
        Arg::Any,
        "pin tracer threads next to their stubs",
    ),
    (libc::SYS_getcpu, Arg::Any, "current CPU (vDSO fallback)"),
    (libc::SYS_prctl, Arg::OneOf(0, PRCTL_OPS), "see PRCTL_OPS"),
    (
        libc::SYS_seccomp,
        Arg::Any,
        "stubs install their own filter on top of this one",
    ),
    (libc::SYS_getrlimit, Arg::Any, "stack limits (thread start)"),
    (
        libc::SYS_prlimit64,
        Arg::Any,
        "rlimits (thread start, emulated getrlimit defaults)",
    ),
    // --- signals --------------------------------------------------------------
    (
        libc::SYS_rt_sigaction,
        Arg::Any,
        "SIGCHLD/SIGPIPE dispositions; fatal-signal re-raise",
    ),
    (
        libc::SYS_rt_sigprocmask,
        Arg::Any,
        "thread signal masks; stub setup unblocks all",
    ),
    (
        libc::SYS_rt_sigreturn,
        Arg::Any,
        "return from signal handlers",
    ),
    (
        libc::SYS_sigaltstack,
        Arg::Any,
        "Rust's stack-overflow handler",
    ),
    (libc::SYS_rt_sigtimedwait, Arg::Any, "wait for host signals"),
    (libc::SYS_restart_syscall, Arg::Any, "restarted sleeps"),
    // --- time, randomness, identity -------------------------------------------
    (libc::SYS_clock_gettime, Arg::Any, "time (vDSO fallback)"),
    (libc::SYS_clock_getres, Arg::Any, "emulated clock_getres"),
    (libc::SYS_gettimeofday, Arg::Any, "time (vDSO fallback)"),
    (libc::SYS_clock_nanosleep, Arg::Any, "timers and sleeps"),
    (libc::SYS_nanosleep, Arg::Any, "sleeps"),
    (
        libc::SYS_getrandom,
        Arg::Any,
        "the app's getrandom and AT_RANDOM",
    ),
    (
        libc::SYS_uname,
        Arg::Any,
        "host kernel release for the emulated uname",
    ),
    (
        libc::SYS_sysinfo,
        Arg::Any,
        "total memory for the emulated sysinfo",
    ),
    (
        libc::SYS_getrusage,
        Arg::Any,
        "sentry CPU time for emulated getrusage/times",
    ),
    (libc::SYS_times, Arg::Any, "CPU time"),
    (libc::SYS_getuid, Arg::Any, "identity"),
    (libc::SYS_geteuid, Arg::Any, "identity"),
    (libc::SYS_getgid, Arg::Any, "identity"),
    (libc::SYS_getegid, Arg::Any, "identity"),
];

/// Syscalls answered with ENOSYS instead of running (stacked filter).
pub(super) const ENOSYS: &[Entry] = &[(
    libc::SYS_clone3,
    Arg::Any,
    "its flags live in memory seccomp cannot read: glibc falls back to clone, whose flags are checked",
)];

/// Syscalls answered with ENOENT instead of running (stacked filter). The
/// sentry's root is an empty tmpfs, so a host path open could only fail;
/// a few lazy lookups (/proc/cpuinfo, /proc/sys/net/core/*, another
/// process's /proc stat) then fall back to defaults, as they did before the
/// filter. Opening host paths is never allowed.
pub(super) const ENOENT: &[Entry] = &[
    (
        libc::SYS_openat,
        Arg::Any,
        "no host paths after confinement",
    ),
    (libc::SYS_open, Arg::Any, "no host paths after confinement"),
];
