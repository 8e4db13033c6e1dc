//! Seccomp filters of runsc's own processes, built with `seccompiler`.
//!
//! The sentry installs [`install_sentry`] at the end of its confinement
//! (`runsc boot`, after the namespaces, the empty root and no_new_privs, and
//! before the kernel boots). From then on every syscall outside
//! [`sentry::SENTRY`] kills the whole sandbox (SECCOMP_RET_KILL_PROCESS), or
//! with `seccomp = "log"` is allowed and written to the host's audit log
//! (`dmesg`: `type=1326 ... syscall=N`), which is how missing entries are
//! found.
//!
//! Three programs are stacked (the kernel takes the strictest answer): the
//! allowlist; one that makes clone3 fail with ENOSYS (its flags live in
//! memory where seccomp cannot inspect them; glibc then falls back to clone,
//! whose flags the allowlist checks); and one that answers open/openat with
//! ENOENT (the sentry's root is empty anyway: lazy lookups of host /proc
//! files fall back to defaults instead of killing the sandbox).
//!
//! Contains `unsafe`: only in the tests (fork and raw syscalls in the child).

mod gofer;
mod sentry;

use crate::config::SeccompMode;
use seccompiler::{
    BpfProgram, SeccompAction, SeccompCmpArgLen, SeccompCmpOp, SeccompCondition, SeccompFilter,
    SeccompRule, TargetArch,
};
use std::collections::BTreeMap;

/// An argument restriction of one allowlist entry.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg {
    /// Any arguments.
    Any,
    /// Argument `.0` (a 32-bit int) equals `.1`.
    Eq(u8, u64),
    /// Argument `.0` has none of the bits of `.1` set.
    MaskedZero(u8, u64),
    /// Argument `.0` (a 32-bit int) is one of `.1`.
    OneOf(u8, &'static [u64]),
}

fn cond(i: u8, len: SeccompCmpArgLen, op: SeccompCmpOp, v: u64) -> anyhow::Result<SeccompRule> {
    let c = SeccompCondition::new(i, len, op, v).map_err(|e| anyhow::anyhow!("seccomp: {e}"))?;
    SeccompRule::new(vec![c]).map_err(|e| anyhow::anyhow!("seccomp: {e}"))
}

fn rules(arg: Arg) -> anyhow::Result<Vec<SeccompRule>> {
    use SeccompCmpArgLen::{Dword, Qword};
    Ok(match arg {
        Arg::Any => vec![],
        Arg::Eq(i, v) => vec![cond(i, Dword, SeccompCmpOp::Eq, v)?],
        Arg::MaskedZero(i, m) => vec![cond(i, Qword, SeccompCmpOp::MaskedEq(m), 0)?],
        Arg::OneOf(i, vs) => vs
            .iter()
            .map(|v| cond(i, Dword, SeccompCmpOp::Eq, *v))
            .collect::<Result<_, _>>()?,
    })
}

fn compile(
    entries: &[(i64, Arg, &'static str)],
    mismatch: SeccompAction,
    on_match: SeccompAction,
) -> anyhow::Result<BpfProgram> {
    let mut map = BTreeMap::new();
    for (nr, arg, _why) in entries {
        if map.insert(*nr, rules(*arg)?).is_some() {
            anyhow::bail!("seccomp: syscall {nr} listed twice");
        }
    }
    let f = SeccompFilter::new(map, mismatch, on_match, TargetArch::x86_64)
        .map_err(|e| anyhow::anyhow!("seccomp: {e}"))?;
    f.try_into().map_err(|e| anyhow::anyhow!("seccomp: {e}"))
}

/// What a syscall outside an allowlist gets in `mode`.
fn mismatch_action(mode: SeccompMode) -> SeccompAction {
    match mode {
        SeccompMode::Kill => SeccompAction::KillProcess,
        SeccompMode::Log => SeccompAction::Log,
    }
}

/// A program answering the syscalls of `entries` with `errno` (and letting
/// everything else through to the next filter).
fn errno_program(entries: &[(i64, Arg, &'static str)], errno: i32) -> anyhow::Result<BpfProgram> {
    compile(
        entries,
        SeccompAction::Allow,
        SeccompAction::Errno(errno as u32),
    )
}

/// The sentry's programs, in installation order.
pub fn sentry_programs(mode: SeccompMode) -> anyhow::Result<Vec<BpfProgram>> {
    let allow = compile(sentry::SENTRY, mismatch_action(mode), SeccompAction::Allow)?;
    let enosys = errno_program(sentry::ENOSYS, libc::ENOSYS)?;
    let enoent = errno_program(sentry::ENOENT, libc::ENOENT)?;
    Ok(vec![allow, enosys, enoent])
}

/// The gofer's programs, in installation order: clone3 → ENOSYS, then its allowlist.
pub fn gofer_programs(mode: SeccompMode) -> anyhow::Result<Vec<BpfProgram>> {
    let allow = compile(gofer::GOFER, mismatch_action(mode), SeccompAction::Allow)?;
    let enosys = errno_program(sentry::ENOSYS, libc::ENOSYS)?;
    // The allowlist last: installing it is the last prctl/seccomp call, so
    // neither needs to be in the list.
    Ok(vec![enosys, allow])
}

/// Install the gofer's filters on every thread of the calling process.
pub fn install_gofer(mode: SeccompMode) -> anyhow::Result<()> {
    for p in gofer_programs(mode)? {
        seccompiler::apply_filter_all_threads(&p)
            .map_err(|e| anyhow::anyhow!("installing the gofer's seccomp filter: {e}"))?;
    }
    Ok(())
}

/// Install the sentry's filters on every thread of the calling process.
pub fn install_sentry(mode: SeccompMode) -> anyhow::Result<()> {
    for p in sentry_programs(mode)? {
        seccompiler::apply_filter_all_threads(&p)
            .map_err(|e| anyhow::anyhow!("installing the seccomp filter: {e}"))?;
    }
    Ok(())
}

/// The sentry's allowlist as (syscall number, reason) for documentation.
pub fn sentry_allowlist() -> impl Iterator<Item = (i64, &'static str)> {
    sentry::SENTRY.iter().map(|(nr, _, why)| (*nr, *why))
}

/// The gofer's allowlist as (syscall number, reason) for documentation.
pub fn gofer_allowlist() -> impl Iterator<Item = (i64, &'static str)> {
    gofer::GOFER.iter().map(|(nr, _, why)| (*nr, *why))
}

#[cfg(test)]
mod tests {
    use super::*;
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, ForkResult};

    /// Fork; the child installs the sentry's filters (kill mode) and runs
    /// `body`, exiting 0 if it returns. Returns how the child ended.
    fn in_filtered_child(body: fn()) -> WaitStatus {
        in_child_with(sentry_programs(SeccompMode::Kill).unwrap(), body)
    }

    fn in_child_with(progs: Vec<BpfProgram>, body: fn()) -> WaitStatus {
        // SAFETY: the child only makes raw syscalls (prctl/seccomp through
        // seccompiler on prebuilt programs, then `body`) and _exit.
        match unsafe { fork() }.unwrap() {
            ForkResult::Child => {
                for p in &progs {
                    if seccompiler::apply_filter(p).is_err() {
                        unsafe { libc::_exit(90) };
                    }
                }
                body();
                unsafe { libc::_exit(0) };
            }
            ForkResult::Parent { child } => waitpid(child, None).unwrap(),
        }
    }

    #[test]
    fn allowed_syscalls_pass() {
        let st = in_filtered_child(|| unsafe {
            libc::syscall(libc::SYS_getpid);
            libc::syscall(libc::SYS_write, 2, b"".as_ptr(), 0);
            let mut fds = [0i32; 2];
            if libc::syscall(
                libc::SYS_socketpair,
                libc::AF_UNIX,
                libc::SOCK_STREAM,
                0,
                fds.as_mut_ptr(),
            ) != 0
            {
                libc::_exit(91);
            }
            // Host paths: ENOENT, not fatal.
            if libc::syscall(
                libc::SYS_openat,
                libc::AT_FDCWD,
                c"/".as_ptr(),
                libc::O_RDONLY,
            ) != -1
                || *libc::__errno_location() != libc::ENOENT
            {
                libc::_exit(93);
            }
            // clone3 is refused with ENOSYS, not fatal.
            if libc::syscall(libc::SYS_clone3, 0u64, 0u64) != -1
                || *libc::__errno_location() != libc::ENOSYS
            {
                libc::_exit(92);
            }
        });
        assert!(matches!(st, WaitStatus::Exited(_, 0)), "{st:?}");
    }

    #[test]
    fn forbidden_syscall_kills_with_sigsys() {
        // A host socket: the sentry never opens one.
        let st = in_filtered_child(|| unsafe {
            libc::syscall(libc::SYS_socket, libc::AF_INET, libc::SOCK_STREAM, 0);
        });
        assert!(
            matches!(
                st,
                WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGSYS, _)
            ),
            "{st:?}"
        );
    }

    #[test]
    fn argument_filters_kill() {
        // socketpair outside AF_UNIX.
        let st = in_filtered_child(|| unsafe {
            let mut fds = [0i32; 2];
            libc::syscall(
                libc::SYS_socketpair,
                libc::AF_INET,
                libc::SOCK_STREAM,
                0,
                fds.as_mut_ptr(),
            );
        });
        assert!(
            matches!(
                st,
                WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGSYS, _)
            ),
            "{st:?}"
        );
        // clone into a new user namespace.
        let st = in_filtered_child(|| unsafe {
            libc::syscall(
                libc::SYS_clone,
                (libc::CLONE_NEWUSER | libc::SIGCHLD) as u64,
                0u64,
                0u64,
                0u64,
                0u64,
            );
        });
        assert!(
            matches!(
                st,
                WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGSYS, _)
            ),
            "{st:?}"
        );
        // prctl outside the list.
        let st = in_filtered_child(|| unsafe {
            libc::syscall(
                libc::SYS_prctl,
                libc::PR_SET_KEEPCAPS,
                1u64,
                0u64,
                0u64,
                0u64,
            );
        });
        assert!(
            matches!(
                st,
                WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGSYS, _)
            ),
            "{st:?}"
        );
    }

    #[test]
    fn gofer_filter_allows_file_ops_and_kills_the_rest() {
        let ok = in_child_with(gofer_programs(SeccompMode::Kill).unwrap(), || unsafe {
            let fd = libc::openat(
                libc::AT_FDCWD,
                c"/".as_ptr(),
                libc::O_RDONLY | libc::O_DIRECTORY,
            );
            if fd < 0 {
                libc::_exit(91);
            }
            let mut buf = [0u8; 512];
            if libc::syscall(libc::SYS_getdents64, fd, buf.as_mut_ptr(), buf.len()) <= 0 {
                libc::_exit(92);
            }
            libc::close(fd);
        });
        assert!(matches!(ok, WaitStatus::Exited(_, 0)), "{ok:?}");
        // No sockets, no ptrace, no execve.
        for nr in [libc::SYS_socket, libc::SYS_ptrace, libc::SYS_execve] {
            let progs = gofer_programs(SeccompMode::Kill).unwrap();
            let body: fn() = match nr {
                libc::SYS_socket => || unsafe {
                    libc::syscall(libc::SYS_socket, libc::AF_INET, libc::SOCK_STREAM, 0);
                },
                libc::SYS_ptrace => || unsafe {
                    libc::syscall(libc::SYS_ptrace, libc::PTRACE_TRACEME, 0, 0, 0);
                },
                _ => || unsafe {
                    libc::syscall(libc::SYS_execve, c"/bin/true".as_ptr(), 0usize, 0usize);
                },
            };
            let st = in_child_with(progs, body);
            assert!(
                matches!(
                    st,
                    WaitStatus::Signaled(_, nix::sys::signal::Signal::SIGSYS, _)
                ),
                "syscall {nr}: {st:?}"
            );
        }
    }

    #[test]
    fn every_entry_has_a_reason_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for (nr, why) in sentry_allowlist() {
            assert!(why.len() > 5, "syscall {nr} lacks a reason");
            assert!(seen.insert(nr), "syscall {nr} listed twice");
        }
        let mut seen = std::collections::HashSet::new();
        for (nr, why) in gofer_allowlist() {
            assert!(why.len() > 3, "gofer: syscall {nr} lacks a reason");
            assert!(seen.insert(nr), "gofer: syscall {nr} listed twice");
        }
        gofer_programs(SeccompMode::Kill).unwrap();
    }

    /// The container profile compiler's output for Docker's default
    /// profile, loaded into the host kernel (whose verifier is the
    /// reference) in a child: it is accepted, and the host kernel gives the
    /// verdicts the sentry's interpreter gives.
    #[test]
    fn docker_profile_program_runs_in_the_host_kernel() {
        let v: oci_spec::runtime::LinuxSeccomp =
            serde_json::from_str(include_str!("../oci/seccomp/docker-default.json")).unwrap();
        let c = crate::oci::seccomp::compile(&v).unwrap();
        let prog: BpfProgram = c
            .program
            .iter()
            .map(|f| seccompiler::sock_filter {
                code: f.code,
                jt: f.jt,
                jf: f.jf,
                k: f.k,
            })
            .collect();
        // SAFETY: raw syscalls with null or integer arguments in the child.
        let st = in_child_with(vec![prog], || unsafe {
            let err = || *libc::__errno_location();
            // Allowed: getppid, personality(0xffffffff) (a query).
            if libc::syscall(libc::SYS_getppid) <= 0 {
                libc::_exit(1);
            }
            if libc::syscall(libc::SYS_personality, 0xffff_ffffu64) < 0 {
                libc::_exit(2);
            }
            // Denied with EPERM (default action): mount, keyctl.
            let null = std::ptr::null::<u8>();
            if libc::syscall(libc::SYS_mount, null, null, null, 0, null) != -1 || err() != 1 {
                libc::_exit(3);
            }
            if libc::syscall(libc::SYS_keyctl, 0, -1000, 0) != -1 || err() != 1 {
                libc::_exit(4);
            }
            // clone3: ENOSYS by the profile's own rule.
            if libc::syscall(libc::SYS_clone3, null, 0) != -1 || err() != libc::ENOSYS {
                libc::_exit(5);
            }
            // personality(1): not one of the allowed values.
            if libc::syscall(libc::SYS_personality, 1) != -1 || err() != 1 {
                libc::_exit(6);
            }
        });
        assert_eq!(st, WaitStatus::Exited(st.pid().unwrap(), 0), "{st:?}");
    }

    /// Argument comparisons of compiled container profiles, host kernel
    /// against the sentry's interpreter: getppid ignores its arguments, so
    /// a rule on them decides alone whether it fails with the rule's errno.
    #[test]
    fn container_profile_arg_filters_match_the_host_kernel() {
        use ::sentry::kernel::seccomp::{Program, SeccompData};
        let values: [u64; 7] = [
            0,
            1,
            0xffff_ffff,
            0x1_0000_0000,
            0x1_0000_0001,
            0x8000_0000_0000_0000,
            u64::MAX,
        ];
        let ops = [
            "SCMP_CMP_EQ",
            "SCMP_CMP_NE",
            "SCMP_CMP_LT",
            "SCMP_CMP_LE",
            "SCMP_CMP_GT",
            "SCMP_CMP_GE",
            "SCMP_CMP_MASKED_EQ",
        ];
        let nr = libc::SYS_getppid as i32;
        for op in ops {
            for v in values {
                let profile = serde_json::json!({
                    "defaultAction": "SCMP_ACT_ALLOW",
                    "syscalls": [{"names": ["getppid"], "action": "SCMP_ACT_ERRNO",
                        "errnoRet": 77, "args": [{"index": 3, "value": v,
                        "valueTwo": v & 0xffff_0000_0000_ffff, "op": op}]}]
                });
                let c = crate::oci::seccomp::compile(&serde_json::from_value(profile).unwrap())
                    .unwrap();
                let interp = Program::new(&c.program).unwrap();
                // The interpreter's verdicts, computed before the fork.
                let want: Vec<bool> = values
                    .iter()
                    .map(|&a| {
                        let d = SeccompData {
                            nr,
                            arch: syscalls::consts::AUDIT_ARCH_X86_64,
                            instruction_pointer: 0,
                            args: [0, 0, 0, a, 0, 0],
                        };
                        interp.run(&d) != syscalls::consts::SECCOMP_RET_ALLOW
                    })
                    .collect();
                let prog: BpfProgram = c
                    .program
                    .iter()
                    .map(|f| seccompiler::sock_filter {
                        code: f.code,
                        jt: f.jt,
                        jf: f.jf,
                        k: f.k,
                    })
                    .collect();
                // SAFETY: the child only installs the prebuilt filter, makes
                // raw syscalls and _exits (no allocation after the fork).
                match unsafe { fork() }.unwrap() {
                    ForkResult::Child => unsafe {
                        if seccompiler::apply_filter(&prog).is_err() {
                            libc::_exit(90);
                        }
                        for (i, &a) in values.iter().enumerate() {
                            let r = libc::syscall(libc::SYS_getppid, 0, 0, 0, a);
                            let denied = r == -1 && *libc::__errno_location() == 77;
                            if denied != want[i] {
                                libc::_exit(10 + i as i32);
                            }
                        }
                        libc::_exit(0);
                    },
                    ForkResult::Parent { child } => {
                        let st = waitpid(child, None).unwrap();
                        assert_eq!(st, WaitStatus::Exited(child, 0), "{op} {v:#x}");
                    }
                }
            }
        }
    }
}
