//! Host processes of a container (the sentry, the gofer): liveness that
//! survives pid reuse, and killing with a wait on a pidfd (no polling).

use crate::sandbox::{pidfd_open, pidfd_signal};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use std::os::fd::{AsFd, OwnedFd};

/// (state letter, start time in clock ticks) from `/proc/<pid>/stat`.
pub fn stat(pid: i32) -> Option<(char, u64)> {
    if pid <= 0 {
        return None;
    }
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The comm may contain spaces and parentheses: fields follow the last ')'.
    let rest = &s[s.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let state = f.first()?.chars().next()?;
    // Field 22 (starttime) is index 19 after the comm.
    let start = f.get(19)?.parse().ok()?;
    Some((state, start))
}

/// The start time of `pid` (0 if it is gone).
pub fn start_time(pid: i32) -> u64 {
    stat(pid).map(|s| s.1).unwrap_or(0)
}

/// Whether `pid` is the process that started at `start` and has not exited.
pub fn alive(pid: i32, start: u64) -> bool {
    matches!(stat(pid), Some((st, t)) if t == start && st != 'Z' && st != 'X')
}

/// A pidfd for `pid` if it still is the process started at `start`.
pub fn open(pid: i32, start: u64) -> Option<OwnedFd> {
    let fd = pidfd_open(pid).ok()?;
    // Checked after opening: from now on the pidfd pins this process.
    alive(pid, start).then_some(fd)
}

/// Wait until the process behind `pidfd` exits (the pidfd turns readable).
pub fn wait_exit(pidfd: &OwnedFd) {
    loop {
        let mut fds = [PollFd::new(pidfd.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, PollTimeout::NONE) {
            Err(nix::errno::Errno::EINTR) => continue,
            _ => return,
        }
    }
}

/// Send `sig` to the process (if still the one started at `start`).
pub fn signal(pid: i32, start: u64, sig: i32) -> std::io::Result<bool> {
    match open(pid, start) {
        Some(fd) => pidfd_signal(&fd, sig).map(|_| true),
        None => Ok(false),
    }
}

/// SIGKILL the process and wait until it has exited.
pub fn kill_wait(pid: i32, start: u64) {
    if let Some(fd) = open(pid, start) {
        if pidfd_signal(&fd, libc::SIGKILL).is_ok() {
            wait_exit(&fd);
        }
    }
}
