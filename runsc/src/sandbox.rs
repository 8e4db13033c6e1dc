//! Launching the sandbox's processes: the gofer and the sentry (`boot`),
//! re-executing this binary, with fds handed over at fixed numbers.
//!
//! The only unsafe code of the CLI lives here: adopting inherited fds and the
//! pre-exec fd shuffling.

use anyhow::Context;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};

/// First fd number used for handed-over fds in a child.
pub const FIRST_FD: RawFd = 3;

/// Spawn `runsc <args>` with `fds` at FIRST_FD, FIRST_FD+1, ...
pub fn spawn_self(args: &[String], fds: &[OwnedFd], stdin_null: bool) -> anyhow::Result<Child> {
    let exe = std::env::current_exe().context("cannot find our own executable")?;
    let mut cmd = Command::new(exe);
    cmd.args(args);
    if stdin_null {
        cmd.stdin(Stdio::null()).stdout(Stdio::null());
    }
    let raw: Vec<RawFd> = fds.iter().map(|f| f.as_raw_fd()).collect();
    // SAFETY: the closure runs between fork and exec in the child and only
    // makes async-signal-safe calls (fcntl/dup2) on fds we own.
    unsafe {
        cmd.pre_exec(move || {
            // Move sources out of the way first so targets can't clobber them.
            let mut moved = Vec::with_capacity(raw.len());
            for fd in &raw {
                let n = libc::fcntl(*fd, libc::F_DUPFD_CLOEXEC, 1000);
                if n < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                moved.push(n);
            }
            for (i, fd) in moved.iter().enumerate() {
                if libc::dup2(*fd, FIRST_FD + i as i32) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
    cmd.spawn().context("cannot start a sandbox process")
}

/// Adopt `n` fds handed over at FIRST_FD.. (in a child started by spawn_self).
pub fn inherited_fds(n: usize) -> Vec<OwnedFd> {
    (0..n)
        .map(|i| {
            let fd = FIRST_FD + i as i32;
            // SAFETY: the parent placed exactly these fds for us (spawn_self)
            // and nothing else in this process owns them.
            let owned = unsafe { OwnedFd::from_raw_fd(fd) };
            let _ = nix::fcntl::fcntl(
                owned.as_raw_fd(),
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            );
            owned
        })
        .collect()
}

/// Whether fds FIRST_FD..FIRST_FD+n are unix sockets, as `spawn_self` hands
/// them to `runsc boot` and `runsc gofer` (a check that they were started by
/// runsc, not by hand).
pub fn handed_over_sockets(n: usize) -> bool {
    (0..n).all(|i| {
        nix::sys::stat::fstat(FIRST_FD + i as i32)
            .map(|st| st.st_mode & libc::S_IFMT == libc::S_IFSOCK)
            .unwrap_or(false)
    })
}

/// Duplicate one of our stdio fds as an owned fd.
pub fn dup_stdio(fd: RawFd) -> anyhow::Result<OwnedFd> {
    // SAFETY: fds 0-2 are open for the life of the process; we only borrow
    // them to duplicate.
    let b = unsafe { std::os::fd::BorrowedFd::borrow_raw(fd) };
    b.try_clone_to_owned()
        .with_context(|| format!("stdio fd {fd} is not open"))
}
