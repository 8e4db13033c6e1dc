//! The gofer's seccomp allowlist (DESIGN §11): every system call the serving threads make,
//! each with the reason it is needed. Anything else kills the whole gofer process
//! (`SECCOMP_RET_KILL_PROCESS`), so a compromised gofer cannot open sockets, exec, ptrace,
//! mount or reach the network.
//!
//! Installed by [`crate::confine_to`] after the gofer has pivoted into its root and set
//! `no_new_privs`, before any server thread exists (threads inherit it).

use std::collections::BTreeMap;

use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};

/// `(syscall number, reason)`: the reviewed allowlist.
pub const ALLOWED: &[(i64, &str)] = &[
    // The protocol.
    (
        libc::SYS_recvmsg,
        "receive requests (and reject fds sent with them)",
    ),
    (
        libc::SYS_sendmsg,
        "send responses and donate fds with SCM_RIGHTS",
    ),
    (libc::SYS_getsockopt, "SO_ERROR/peer checks on a channel"),
    (libc::SYS_poll, "check whether a channel's peer hung up"),
    (libc::SYS_ppoll, "the same through libc's ppoll"),
    (libc::SYS_close, "close host fds and released handles"),
    // Walking and opening beneath a handle.
    (
        libc::SYS_openat2,
        "open one component with RESOLVE_BENEATH|NO_SYMLINKS",
    ),
    (
        libc::SYS_openat,
        "fallback open with O_NOFOLLOW where openat2 is missing",
    ),
    (libc::SYS_statx, "attributes of walked nodes"),
    (libc::SYS_newfstatat, "attributes (libc fstatat/fstat)"),
    (libc::SYS_fstat, "attributes of an open fd"),
    (libc::SYS_readlinkat, "Readlink"),
    (libc::SYS_getdents64, "Getdents"),
    (
        libc::SYS_read,
        "read files it opened (no more power than the opens themselves)",
    ),
    (libc::SYS_pread64, "read files it opened, at an offset"),
    (libc::SYS_lseek, "resume a directory listing at a cookie"),
    (libc::SYS_fstatfs, "Statfs"),
    (libc::SYS_statfs, "statvfs fallback of libc"),
    (
        libc::SYS_fcntl,
        "set status flags of reopened files, FD_CLOEXEC",
    ),
    // Changes (a writable mount).
    (libc::SYS_mkdirat, "Mkdir"),
    (
        libc::SYS_mknodat,
        "Mknod of regular files, FIFOs and sockets",
    ),
    (libc::SYS_symlinkat, "Symlink"),
    (libc::SYS_linkat, "Link"),
    (libc::SYS_unlinkat, "Unlink"),
    (libc::SYS_renameat2, "Rename (RENAME_NOREPLACE/EXCHANGE)"),
    (
        libc::SYS_renameat,
        "Rename without flags (glibc's renameat2 uses it)",
    ),
    (
        libc::SYS_fchownat,
        "SetAttr uid/gid, owners of created files",
    ),
    (libc::SYS_fchmodat, "SetAttr mode (fallback)"),
    (libc::SYS_fchmodat2, "SetAttr mode on an O_PATH fd"),
    (libc::SYS_fchmod, "SetAttr mode on a reopened fd"),
    (libc::SYS_utimensat, "SetAttr times"),
    (libc::SYS_ftruncate, "SetAttr size, O_TRUNC"),
    (libc::SYS_fsync, "Fsync"),
    (libc::SYS_fgetxattr, "GetXattr"),
    (libc::SYS_fsetxattr, "SetXattr"),
    (libc::SYS_flistxattr, "ListXattr"),
    (libc::SYS_fremovexattr, "RemoveXattr"),
    // The Rust runtime: memory, threads, locks, logging, exit.
    (libc::SYS_mmap, "allocator"),
    (libc::SYS_munmap, "allocator"),
    (libc::SYS_mremap, "allocator"),
    (libc::SYS_mprotect, "thread stack guard pages"),
    (libc::SYS_madvise, "allocator returns memory"),
    (libc::SYS_brk, "allocator"),
    (libc::SYS_futex, "mutexes and condition variables"),
    (libc::SYS_clone3, "spawn a server thread per channel"),
    (libc::SYS_clone, "spawn a server thread (fallback)"),
    (libc::SYS_set_robust_list, "new threads"),
    (libc::SYS_rseq, "new threads (glibc registers rseq)"),
    (
        libc::SYS_rt_sigprocmask,
        "new threads block signals while starting",
    ),
    (
        libc::SYS_rt_sigaction,
        "std's stack-overflow handler and abort",
    ),
    (libc::SYS_sigaltstack, "std's stack-overflow handler"),
    (libc::SYS_prctl, "naming threads (PR_SET_NAME)"),
    (libc::SYS_gettid, "thread ids in logs and abort"),
    (libc::SYS_getpid, "abort"),
    (libc::SYS_tgkill, "abort on a bug (SIGABRT to ourselves)"),
    (libc::SYS_sched_yield, "spin loops in locks"),
    (libc::SYS_sched_getaffinity, "std's available_parallelism"),
    (libc::SYS_getrandom, "hash map seeds"),
    (
        libc::SYS_clock_gettime,
        "log timestamps and rate limiting (vDSO fallback)",
    ),
    (libc::SYS_write, "log lines to stderr"),
    (libc::SYS_writev, "log lines to stderr"),
    (libc::SYS_exit, "a server thread ends"),
    (libc::SYS_exit_group, "the gofer ends"),
];

/// The compiled allowlist (default action: kill the process).
pub fn filter() -> Result<BpfProgram, seccompiler::Error> {
    let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> =
        ALLOWED.iter().map(|(nr, _)| (*nr, Vec::new())).collect();
    let f = SeccompFilter::new(
        rules,
        SeccompAction::KillProcess,
        SeccompAction::Allow,
        TargetArch::x86_64,
    )?;
    f.try_into().map_err(seccompiler::Error::Backend)
}

/// Installs the allowlist on the calling thread (inherited by threads it starts later).
/// Needs `no_new_privs`.
pub fn install() -> Result<(), seccompiler::Error> {
    seccompiler::apply_filter(&filter()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    #[test]
    fn allowlist_has_no_duplicates_and_compiles() {
        let mut nrs: Vec<i64> = ALLOWED.iter().map(|(n, _)| *n).collect();
        nrs.sort_unstable();
        nrs.dedup();
        assert_eq!(nrs.len(), ALLOWED.len());
        assert!(ALLOWED.iter().all(|(_, why)| !why.is_empty()));
        for forbidden in [
            libc::SYS_socket,
            libc::SYS_connect,
            libc::SYS_execve,
            libc::SYS_ptrace,
            libc::SYS_mount,
            libc::SYS_open,
            libc::SYS_kill,
        ] {
            assert!(!nrs.contains(&forbidden), "{forbidden} must not be allowed");
        }
        filter().unwrap();
    }

    const CHILD_ENV: &str = "GOFER_SECCOMP_TEST_CHILD";

    /// A forbidden call kills the process with SIGSYS (in a child process, never this one).
    #[test]
    fn forbidden_syscall_kills() {
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "seccomp::tests::filtered_child",
                "--ignored",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env(CHILD_ENV, "1")
            .output()
            .unwrap();
        use std::os::unix::process::ExitStatusExt;
        let text = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        assert!(text.contains("filter installed"), "{text}");
        assert!(!text.contains("socket allowed"), "{text}");
        assert_eq!(out.status.signal(), Some(libc::SIGSYS), "{text}");
    }

    #[test]
    #[ignore = "run in a child process by forbidden_syscall_kills"]
    fn filtered_child() {
        if std::env::var_os(CHILD_ENV).is_none() {
            return;
        }
        nix::sys::prctl::set_no_new_privs().unwrap();
        install().unwrap();
        // Allowed calls still work.
        std::fs::metadata("/").unwrap();
        eprintln!("filter installed");
        let r = nix::sys::socket::socket(
            nix::sys::socket::AddressFamily::Inet,
            nix::sys::socket::SockType::Stream,
            nix::sys::socket::SockFlag::empty(),
            None,
        );
        eprintln!("socket allowed: {r:?}");
    }
}
