//! Syscall handlers: poll family (poll, ppoll, select, pselect6).
//!
//! Readiness comes from [`FileOps::poll`](crate::vfs::FileOps::poll); the
//! wait is one [`block_on`] over the files' wait queues, so signals interrupt
//! it. Files without a queue (host fds) are re-checked every
//! [`RECHECK`] while the caller sleeps. Timeouts, restarts, the temporary
//! signal mask of ppoll/pselect6 and the remaining-time write-back follow
//! Linux's fs/select.c.

use super::file::nofile;
use super::signal::UNBLOCKABLE;
use super::time::{deadline_after, timespec_valid};
use super::{Support, SysResult, Table};
use crate::kernel::task::Task;
use crate::kernel::wait::{block_on, WaitError, WaitQueue};
use crate::vfs::file::pollev::*;
use crate::vfs::File;
use std::sync::Arc;
use std::time::{Duration, Instant};
use syscalls::abi::{Timespec, Timeval};
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(nr::POLL, sys_poll, Support::Full);
    t.set(nr::PPOLL, sys_ppoll, Support::Full);
    t.set(nr::SELECT, sys_select, Support::Full);
    t.set(nr::PSELECT6, sys_pselect6, Support::Full);
}

/// How often files without a wait queue are re-checked while sleeping.
const RECHECK: Duration = Duration::from_millis(10);

/// The size of the kernel's sigset_t.
const SIGSET_SIZE: u64 = 8;

const NSEC_PER_SEC: u64 = 1_000_000_000;

/// A poll/select timeout.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Timeout {
    Forever,
    /// A zero timeout: one scan, no sleep, nothing written back.
    Zero,
    Until(Instant),
}

impl Timeout {
    /// Linux's poll_select_set_timeout, from a valid (sec, nsec).
    fn new(sec: u64, nsec: u64) -> Timeout {
        if sec == 0 && nsec == 0 {
            Timeout::Zero
        } else {
            Timeout::Until(deadline_after(
                Duration::new(sec, 0).saturating_add(Duration::from_nanos(nsec)),
            ))
        }
    }

    fn deadline(self) -> Option<Instant> {
        match self {
            Timeout::Forever => None,
            Timeout::Zero => Some(Instant::now()),
            Timeout::Until(d) => Some(d),
        }
    }

    /// Time left; `None` when nothing is to be written back.
    fn remaining(self) -> Option<Duration> {
        match self {
            Timeout::Until(d) => Some(d.saturating_duration_since(Instant::now())),
            _ => None,
        }
    }
}

/// A timespec timeout argument (ppoll, pselect6): EFAULT, EINVAL.
fn read_timespec(t: &Task, addr: u64) -> Result<Timeout, Errno> {
    if addr == 0 {
        return Ok(Timeout::Forever);
    }
    let ts: Timespec = t.mm.read_obj(addr)?;
    if !timespec_valid(&ts) {
        return Err(Errno::EINVAL);
    }
    Ok(Timeout::new(ts.tv_sec as u64, ts.tv_nsec as u64))
}

/// Install the temporary mask of ppoll/pselect6 (Linux's set_user_sigmask);
/// returns the mask to restore, if one was installed.
pub(super) fn set_user_sigmask(t: &Task, addr: u64, size: u64) -> Result<Option<u64>, Errno> {
    if addr == 0 {
        return Ok(None);
    }
    if size != SIGSET_SIZE {
        return Err(Errno::EINVAL);
    }
    let mask: u64 = t.mm.read_obj(addr)?;
    let old = t.mask();
    t.set_mask(mask & !UNBLOCKABLE);
    Ok(Some(old))
}

/// Linux's poll_select_finish: restore the signal mask (after the handler
/// if interrupted) and write back the time left.
fn finish(
    t: &mut Task,
    old_mask: Option<u64>,
    timeout: Timeout,
    addr: u64,
    timeval: bool,
    ret: SysResult,
) -> SysResult {
    if let Some(old) = old_mask {
        if ret == Err(Errno::ERESTARTNOHAND) {
            t.saved_mask = Some(old);
        } else {
            t.set_mask(old);
        }
    }
    let Some(left) = timeout.remaining() else {
        return ret;
    };
    if addr == 0 {
        return ret;
    }
    let written = if timeval {
        let tv = Timeval {
            tv_sec: left.as_secs() as i64,
            tv_usec: i64::from(left.subsec_micros()),
        };
        t.mm.write_obj(addr, &tv)
    } else {
        let ts = Timespec {
            tv_sec: left.as_secs() as i64,
            tv_nsec: i64::from(left.subsec_nanos()),
        };
        t.mm.write_obj(addr, &ts)
    };
    match (written, ret) {
        // A read-only timeout is not an error, but the call is then not
        // restartable with the right time.
        (Err(_), Err(Errno::ERESTARTNOHAND)) => Err(Errno::EINTR),
        (_, r) => r,
    }
}

/// Sleep until `scan` finds something ready, the timeout passes (`Ok(None)`)
/// or a signal arrives (`Err`). `files` are the files whose queues to sleep on.
fn wait_files<T>(
    files: &[&Arc<File>],
    timeout: Timeout,
    mut scan: impl FnMut() -> Option<T>,
) -> Result<Option<T>, WaitError> {
    let mut queues: Vec<&WaitQueue> = Vec::new();
    let mut recheck = false;
    for f in files {
        match f.ops.poll(f, 0).1 {
            Some(q) => {
                if !queues.iter().any(|x| std::ptr::eq(*x, q)) {
                    queues.push(q);
                }
            }
            None => recheck = true,
        }
    }
    let deadline = timeout.deadline();
    loop {
        let mut until = deadline;
        if recheck {
            let next = Instant::now() + RECHECK;
            until = Some(until.map_or(next, |d| d.min(next)));
        }
        match block_on(&queues, until, &mut scan) {
            Ok(v) => return Ok(Some(v)),
            Err(WaitError::TimedOut) if deadline.is_some_and(|d| Instant::now() >= d) => {
                return Ok(None)
            }
            Err(WaitError::TimedOut) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The revents of one pollfd (Linux's do_pollfd).
fn pollfd_revents(file: &Option<Arc<File>>, fd: i32, events: u16) -> u16 {
    if fd < 0 {
        return 0;
    }
    match file {
        None => POLLNVAL as u16,
        Some(f) => {
            let events = u32::from(events);
            let (mask, _) = f.ops.poll(f, events);
            (mask & (events | POLLERR | POLLHUP)) as u16
        }
    }
}

/// A file for poll/select (Linux's fdget: O_PATH descriptions don't count).
fn poll_file(t: &Task, fd: i32) -> Option<Arc<File>> {
    t.fds.get(fd).ok().filter(|f| !f.is_path())
}

const POLLFD_SIZE: usize = 8;
/// Bytes of pollfds read at a time.
const POLL_CHUNK: usize = 64 * 1024;

/// Linux's do_sys_poll: the count of ready entries, revents written back
/// even when interrupted (ERESTARTNOHAND).
fn do_sys_poll(t: &Task, ufds: u64, nfds: u32, timeout: Timeout) -> SysResult {
    if u64::from(nfds) > nofile(t) {
        return Err(Errno::EINVAL);
    }
    let len = (nfds as usize)
        .checked_mul(POLLFD_SIZE)
        .ok_or(Errno::EINVAL)?;
    // Read in chunks, as Linux does, so a huge nfds over unmapped memory
    // fails with EFAULT before the sentry allocates for all of it.
    let mut raw = Vec::new();
    while raw.len() < len {
        let n = (len - raw.len()).min(POLL_CHUNK);
        raw.extend(t.mm.read_bytes(ufds.wrapping_add(raw.len() as u64), n)?);
    }
    let mut ents: Vec<(i32, u16, Option<Arc<File>>)> = Vec::with_capacity(nfds as usize);
    for c in raw.chunks_exact(POLLFD_SIZE) {
        let fd = i32::from_ne_bytes([c[0], c[1], c[2], c[3]]);
        let events = u16::from_ne_bytes([c[4], c[5]]);
        let file = if fd >= 0 { poll_file(t, fd) } else { None };
        ents.push((fd, events, file));
    }
    let files: Vec<&Arc<File>> = ents.iter().filter_map(|e| e.2.as_ref()).collect();
    let mut revents = vec![0u16; ents.len()];
    let mut scan = || {
        let mut n = 0;
        for (r, (fd, ev, f)) in revents.iter_mut().zip(&ents) {
            *r = pollfd_revents(f, *fd, *ev);
            n += usize::from(*r != 0);
        }
        (n > 0).then_some(n)
    };
    let res = wait_files(&files, timeout, &mut scan);
    let ret = match res {
        Ok(n) => Ok(n.unwrap_or(0) as u64),
        Err(_) => Err(Errno::ERESTARTNOHAND),
    };
    for (c, r) in raw.chunks_exact_mut(POLLFD_SIZE).zip(&revents) {
        c[6..8].copy_from_slice(&r.to_ne_bytes());
    }
    if len > 0 {
        t.mm.copy_out(ufds, &raw)?;
    }
    ret
}

fn sys_poll(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let ms = a[2] as i32;
    let timeout = if ms < 0 {
        Timeout::Forever
    } else {
        let ms = ms as u64;
        Timeout::new(ms / 1000, (ms % 1000) * 1_000_000)
    };
    poll_restartable(t, a[0], a[1] as u32, timeout)
}

/// poll(2) whose interruption continues through restart_syscall(2) with
/// the time left (Linux's do_restart_poll).
fn poll_restartable(t: &mut Task, fds: u64, nfds: u32, timeout: Timeout) -> SysResult {
    match do_sys_poll(t, fds, nfds, timeout) {
        Err(Errno::ERESTARTNOHAND) => {
            t.restart_block = Some(crate::kernel::task::RestartBlock::Poll {
                fds,
                nfds,
                deadline: match timeout {
                    Timeout::Forever => None,
                    other => other.deadline(),
                },
            });
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
        r => r,
    }
}

/// restart_syscall(2) of an interrupted poll.
pub fn restart_poll(t: &mut Task, fds: u64, nfds: u32, deadline: Option<Instant>) -> SysResult {
    let timeout = match deadline {
        None => Timeout::Forever,
        Some(d) if d <= Instant::now() => Timeout::Zero,
        Some(d) => Timeout::Until(d),
    };
    poll_restartable(t, fds, nfds, timeout)
}

fn sys_ppoll(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let timeout = read_timespec(t, a[2])?;
    let old = set_user_sigmask(t, a[3], a[4])?;
    let ret = do_sys_poll(t, a[0], a[1] as u32, timeout);
    finish(t, old, timeout, a[2], false, ret)
}

// select(2) readiness sets (Linux's POLLIN_SET, POLLOUT_SET, POLLEX_SET).
const POLLIN_SET: u32 = POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR;
const POLLOUT_SET: u32 = POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR;
const POLLEX_SET: u32 = POLLPRI;

/// An fd_set of `n` bits as 64-bit words (Linux's get_fd_set: NULL is empty).
fn read_fd_set(t: &Task, addr: u64, words: usize) -> Result<Vec<u64>, Errno> {
    if addr == 0 || words == 0 {
        return Ok(vec![0; words]);
    }
    let raw = t.mm.read_bytes(addr, words * 8)?;
    Ok(raw
        .chunks_exact(8)
        .map(|c| u64::from_ne_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
        .collect())
}

fn write_fd_set(t: &Task, addr: u64, set: &[u64]) -> Result<(), Errno> {
    if addr == 0 || set.is_empty() {
        return Ok(());
    }
    let raw: Vec<u8> = set.iter().flat_map(|w| w.to_ne_bytes()).collect();
    t.mm.copy_out(addr, &raw)
}

/// Linux's core_sys_select: the number of set bits written back.
fn core_sys_select(t: &Task, n: i32, sets: [u64; 3], timeout: Timeout) -> SysResult {
    let n = usize::try_from(n).map_err(|_| Errno::EINVAL)?;
    // Bits at or above the table size are ignored (not even read).
    let n = n.min(t.fds.max_fds());
    let words = n.div_ceil(64);
    let ins = [
        read_fd_set(t, sets[0], words)?,
        read_fd_set(t, sets[1], words)?,
        read_fd_set(t, sets[2], words)?,
    ];
    // max_select_fd: every fd named must be open (O_PATH ones count).
    let mut fds: Vec<(usize, Option<Arc<File>>)> = Vec::new();
    for i in 0..n {
        let (w, b) = (i / 64, 1u64 << (i % 64));
        if (ins[0][w] | ins[1][w] | ins[2][w]) & b == 0 {
            continue;
        }
        let f = t.fds.get(i as i32).map_err(|_| Errno::EBADF)?;
        fds.push((i, (!f.is_path()).then_some(f)));
    }
    let files: Vec<&Arc<File>> = fds.iter().filter_map(|e| e.1.as_ref()).collect();
    let mut outs = [vec![0u64; words], vec![0u64; words], vec![0u64; words]];
    let mut scan = || {
        let mut count = 0usize;
        for o in outs.iter_mut() {
            o.fill(0);
        }
        for (i, f) in &fds {
            let (w, b) = (i / 64, 1u64 << (i % 64));
            let want = [ins[0][w] & b != 0, ins[1][w] & b != 0, ins[2][w] & b != 0];
            let mut events = 0;
            for (on, set) in want.iter().zip([POLLIN_SET, POLLOUT_SET, POLLEX_SET]) {
                if *on {
                    events |= set;
                }
            }
            let mask = match f {
                Some(f) => f.ops.poll(f, events).0,
                None => POLLNVAL,
            };
            for (k, set) in [POLLIN_SET, POLLOUT_SET, POLLEX_SET].iter().enumerate() {
                if want[k] && mask & set != 0 {
                    outs[k][w] |= b;
                    count += 1;
                }
            }
        }
        (count > 0).then_some(count)
    };
    let res = wait_files(&files, timeout, &mut scan);
    // Interrupted: the sets are left alone.
    let count = res.map_err(|_| Errno::ERESTARTNOHAND)?.unwrap_or(0);
    for (addr, set) in sets.iter().zip(&outs) {
        write_fd_set(t, *addr, set)?;
    }
    Ok(count as u64)
}

fn sys_select(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let timeout = if a[4] == 0 {
        Timeout::Forever
    } else {
        let tv: Timeval = t.mm.read_obj(a[4])?;
        let sec = tv.tv_sec.checked_add(tv.tv_usec / 1_000_000);
        let nsec = (tv.tv_usec % 1_000_000) * 1000;
        match sec {
            Some(sec) if sec >= 0 && nsec >= 0 => Timeout::new(sec as u64, nsec as u64),
            // A sum past i64 is clamped by Linux (timespec64_add_safe) to
            // "forever" for any practical purpose.
            None if tv.tv_sec > 0 => Timeout::new(i64::MAX as u64, NSEC_PER_SEC - 1),
            _ => return Err(Errno::EINVAL),
        }
    };
    let ret = core_sys_select(t, a[0] as i32, [a[1], a[2], a[3]], timeout);
    finish(t, None, timeout, a[4], true, ret)
}

fn sys_pselect6(t: &mut Task, a: &[u64; 6]) -> SysResult {
    // The sixth argument points to { const sigset_t *ss; size_t ss_len; }.
    let (ss, ss_len) = if a[5] == 0 {
        (0, 0)
    } else {
        let pack: [u64; 2] = t.mm.read_obj(a[5])?;
        (pack[0], pack[1])
    };
    let timeout = read_timespec(t, a[4])?;
    let old = set_user_sigmask(t, ss, ss_len)?;
    let ret = core_sys_select(t, a[0] as i32, [a[1], a[2], a[3]], timeout);
    finish(t, old, timeout, a[4], false, ret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(Timeout::new(0, 0), Timeout::Zero);
        assert!(matches!(Timeout::new(0, 1), Timeout::Until(_)));
        assert_eq!(Timeout::Zero.remaining(), None);
        assert_eq!(Timeout::Forever.deadline(), None);
        let left = Timeout::new(5, 0).remaining().unwrap_or_default();
        assert!(left > Duration::from_secs(4) && left <= Duration::from_secs(5));
        // Huge timeouts saturate instead of overflowing.
        assert!(matches!(
            Timeout::new(u64::MAX, NSEC_PER_SEC - 1),
            Timeout::Until(_)
        ));
    }
}
