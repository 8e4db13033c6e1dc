//! The gofer's syscall allowlist: file operations beneath its root (it is
//! pivoted into the container's root file system), fd donation to the sentry
//! over its unix-socket channels, and what its per-channel threads need.
//! Found like the sentry's (`seccomp = "log"` over the systests suite).

use super::sentry::Entry;
use super::Arg;

/// Namespace-creating clone flags (never after confinement).
const CLONE_NEW_MASK: u64 = (libc::CLONE_NEWNS
    | libc::CLONE_NEWCGROUP
    | libc::CLONE_NEWUTS
    | libc::CLONE_NEWIPC
    | libc::CLONE_NEWUSER
    | libc::CLONE_NEWPID
    | libc::CLONE_NEWNET) as u64;

const PRCTL_OPS: &[u64] = &[
    libc::PR_SET_NAME as u64, // thread names
    libc::PR_GET_NAME as u64, // thread names
    libc::PR_SET_VMA as u64,  // glibc names anonymous mappings
    libc::PR_GET_DUMPABLE as u64,
];

pub(super) const GOFER: &[Entry] = &[
    // --- files beneath the root ------------------------------------------------
    (
        libc::SYS_openat,
        Arg::Any,
        "open files beneath the root (O_NOFOLLOW walks)",
    ),
    (
        libc::SYS_openat2,
        Arg::Any,
        "open beneath the root with RESOLVE_BENEATH",
    ),
    (libc::SYS_close, Arg::Any, "close fds (after donating them)"),
    (libc::SYS_read, Arg::Any, "file reads"),
    (libc::SYS_write, Arg::Any, "file writes; logs"),
    (libc::SYS_pread64, Arg::Any, "file reads at an offset"),
    (libc::SYS_pwrite64, Arg::Any, "file writes at an offset"),
    (libc::SYS_readv, Arg::Any, "vectored reads"),
    (libc::SYS_writev, Arg::Any, "vectored writes"),
    (libc::SYS_preadv, Arg::Any, "vectored reads at an offset"),
    (libc::SYS_pwritev, Arg::Any, "vectored writes at an offset"),
    (
        libc::SYS_lseek,
        Arg::Any,
        "file positions, SEEK_DATA/SEEK_HOLE",
    ),
    (libc::SYS_fstat, Arg::Any, "attributes"),
    (
        libc::SYS_newfstatat,
        Arg::Any,
        "attributes (AT_EMPTY_PATH, beneath the root)",
    ),
    (libc::SYS_statx, Arg::Any, "attributes"),
    (libc::SYS_fstatfs, Arg::Any, "statfs"),
    (libc::SYS_getdents64, Arg::Any, "directory listings"),
    (libc::SYS_mkdirat, Arg::Any, "mkdir"),
    (
        libc::SYS_mknodat,
        Arg::Any,
        "mknod (fifos, sockets, regular files)",
    ),
    (libc::SYS_unlinkat, Arg::Any, "unlink and rmdir"),
    (libc::SYS_renameat2, Arg::Any, "rename (with flags)"),
    (libc::SYS_renameat, Arg::Any, "rename"),
    (libc::SYS_symlinkat, Arg::Any, "symlink"),
    (libc::SYS_linkat, Arg::Any, "hard links"),
    (libc::SYS_readlinkat, Arg::Any, "readlink"),
    (libc::SYS_fchmod, Arg::Any, "chmod of an open file"),
    (libc::SYS_fchmodat, Arg::Any, "chmod"),
    (
        libc::SYS_fchmodat2,
        Arg::Any,
        "chmod without following symlinks",
    ),
    (libc::SYS_fchown, Arg::Any, "chown of an open file"),
    (libc::SYS_fchownat, Arg::Any, "chown"),
    (libc::SYS_utimensat, Arg::Any, "utimes (also futimens)"),
    (libc::SYS_ftruncate, Arg::Any, "truncate"),
    (libc::SYS_fallocate, Arg::Any, "fallocate"),
    (libc::SYS_fsync, Arg::Any, "fsync"),
    (libc::SYS_fdatasync, Arg::Any, "fdatasync"),
    (libc::SYS_fcntl, Arg::Any, "fd flags, O_PATH reopen checks"),
    (
        libc::SYS_flock,
        Arg::Any,
        "file locks requested by the sentry",
    ),
    (libc::SYS_dup, Arg::Any, "duplicate fds to donate"),
    (libc::SYS_dup3, Arg::Any, "duplicate fds to donate"),
    // --- channels to the sentry -------------------------------------------------
    (
        libc::SYS_sendmsg,
        Arg::Any,
        "replies with donated fds (SCM_RIGHTS)",
    ),
    (libc::SYS_recvmsg, Arg::Any, "requests"),
    (libc::SYS_sendto, Arg::Any, "replies"),
    (libc::SYS_recvfrom, Arg::Any, "requests"),
    (libc::SYS_poll, Arg::Any, "wait on channels"),
    (libc::SYS_ppoll, Arg::Any, "wait on channels"),
    // --- threads, memory, signals, time -------------------------------------------
    (
        libc::SYS_clone,
        Arg::MaskedZero(0, CLONE_NEW_MASK),
        "one thread per channel; never new namespaces",
    ),
    (
        libc::SYS_clone3,
        Arg::Any,
        "refused with ENOSYS by the errno filter (glibc falls back to clone)",
    ),
    (libc::SYS_futex, Arg::Any, "locks"),
    (libc::SYS_set_robust_list, Arg::Any, "thread start"),
    (libc::SYS_rseq, Arg::Any, "thread start"),
    (libc::SYS_set_tid_address, Arg::Any, "thread start"),
    (libc::SYS_mmap, Arg::Any, "allocator, thread stacks"),
    (libc::SYS_munmap, Arg::Any, "allocator, thread stacks"),
    (libc::SYS_mprotect, Arg::Any, "thread stack guard pages"),
    (libc::SYS_madvise, Arg::Any, "allocator"),
    (libc::SYS_mremap, Arg::Any, "allocator"),
    (libc::SYS_brk, Arg::Any, "allocator"),
    (libc::SYS_exit, Arg::Any, "thread exit"),
    (
        libc::SYS_exit_group,
        Arg::Any,
        "exit when every channel closed",
    ),
    (libc::SYS_rt_sigaction, Arg::Any, "signal dispositions"),
    (libc::SYS_rt_sigprocmask, Arg::Any, "thread signal masks"),
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
    (libc::SYS_sched_yield, Arg::Any, "lock back-off"),
    (
        libc::SYS_sched_getaffinity,
        Arg::Any,
        "available_parallelism",
    ),
    (libc::SYS_getrandom, Arg::Any, "hash map seeds"),
    (
        libc::SYS_clock_gettime,
        Arg::Any,
        "log rate limiting (vDSO fallback)",
    ),
    (libc::SYS_clock_nanosleep, Arg::Any, "sleeps"),
    (libc::SYS_nanosleep, Arg::Any, "sleeps"),
    (libc::SYS_gettid, Arg::Any, "thread ids"),
    (libc::SYS_getpid, Arg::Any, "process id"),
    (libc::SYS_tgkill, Arg::Any, "abort"),
    (libc::SYS_prctl, Arg::OneOf(0, PRCTL_OPS), "see PRCTL_OPS"),
    (libc::SYS_prlimit64, Arg::Any, "thread start"),
    (libc::SYS_getuid, Arg::Any, "identity"),
    (libc::SYS_geteuid, Arg::Any, "identity"),
    (libc::SYS_getgid, Arg::Any, "identity"),
    (libc::SYS_getegid, Arg::Any, "identity"),
];
