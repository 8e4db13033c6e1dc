//! Advisory file locks: flock(2), POSIX record locks (F_SETLK/F_SETLKW/
//! F_GETLK) and open-file-description locks (F_OFD_*), as Linux's
//! `fs/locks.c` keeps them.
//!
//! - Locks are keyed by the file's `(st_dev, st_ino)`, so they work the same
//!   on every file system (tmpfs, gofer, overlay, pipes).
//! - flock locks and OFD locks belong to an open file description (a
//!   [`File`]) and go away when its last fd is closed ([`release_file`] from
//!   `File`'s drop). POSIX locks belong to the fd table (Linux's
//!   `current->files`): any close of an fd of the file by that table drops
//!   them all ([`close_posix`]), and so does the table's end.
//! - POSIX and OFD locks conflict with each other; flock locks are separate.
//! - A blocked POSIX request records what it waits for, so a request that
//!   would close a cycle of waiting processes fails with EDEADLK (Linux's
//!   `posix_locks_deadlock`, POSIX owners only).
//!
//! The state lives in the sentry only: nothing is forwarded to the host, so
//! host processes sharing a bind mount do not see sandbox locks (as in
//! gVisor).

use super::File;
use crate::kernel::wait::{self, WaitQueue};
use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, Mutex, MutexGuard};
use syscalls::Errno;

/// `(st_dev, st_ino)` of a locked file.
pub type Key = (u64, u64);

/// Who holds a record lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Owner {
    /// A POSIX lock: the fd table (address) of the process.
    Posix(usize),
    /// An OFD lock: the open file description (address).
    Ofd(usize),
}

/// One byte-range lock; `end` is inclusive (`u64::MAX`: to end of file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub start: u64,
    pub end: u64,
    pub write: bool,
    pub owner: Owner,
    /// The process that set it (POSIX), -1 for OFD locks.
    pub pid: i32,
}

impl Range {
    fn overlaps(&self, start: u64, end: u64) -> bool {
        self.start <= end && start <= self.end
    }

    fn conflicts(&self, other: &Range) -> bool {
        self.owner != other.owner
            && (self.write || other.write)
            && self.overlaps(other.start, other.end)
    }
}

#[derive(Default)]
struct InodeLocks {
    /// flock locks: (file address, exclusive).
    flocks: Vec<(usize, bool)>,
    ranges: Vec<Range>,
}

impl InodeLocks {
    fn is_empty(&self) -> bool {
        self.flocks.is_empty() && self.ranges.is_empty()
    }
}

#[derive(Default)]
struct State {
    inodes: HashMap<Key, InodeLocks>,
    /// Blocked POSIX requests: owner -> (file, the request).
    blocked: HashMap<usize, (Key, Range)>,
}

static STATE: LazyLock<Mutex<State>> = LazyLock::new(Mutex::default);
/// Notified whenever a lock goes away (every waiter re-checks).
static RELEASED: LazyLock<WaitQueue> = LazyLock::new(WaitQueue::default);
/// Record locks held by POSIX owners (a cheap test on every close).
static POSIX_LOCKS: AtomicUsize = AtomicUsize::new(0);

fn state() -> MutexGuard<'static, State> {
    STATE.lock().unwrap_or_else(|p| p.into_inner())
}

fn recount(st: &State) {
    let n = st
        .inodes
        .values()
        .flat_map(|l| l.ranges.iter())
        .filter(|r| matches!(r.owner, Owner::Posix(_)))
        .count();
    POSIX_LOCKS.store(n, Ordering::Relaxed);
}

/// The lock key of an open file.
pub fn key_of(f: &File) -> Result<Key, Errno> {
    let st = f.stat()?;
    Ok((st.st_dev, st.st_ino))
}

fn file_addr(f: &File) -> usize {
    f as *const File as usize
}

/// flock(2): `exclusive` or shared, or unlock (`None`); `nonblock` for
/// LOCK_NB. A conversion drops the old lock first (as Linux does).
pub fn flock(f: &File, op: Option<bool>, nonblock: bool) -> Result<(), Errno> {
    let key = key_of(f)?;
    let me = file_addr(f);
    {
        let mut st = state();
        let locks = st.inodes.entry(key).or_default();
        let had = locks.flocks.iter().position(|&(o, _)| o == me);
        match (had, op) {
            (Some(i), Some(ex)) if locks.flocks[i].1 == ex => return Ok(()),
            (Some(i), _) => {
                locks.flocks.remove(i);
                if locks.is_empty() {
                    st.inodes.remove(&key);
                }
                drop(st);
                RELEASED.notify_all();
            }
            (None, None) => return Ok(()),
            (None, Some(_)) => {}
        }
    }
    let Some(ex) = op else { return Ok(()) };
    f.mark_locked();
    let try_take = || {
        let mut st = state();
        let locks = st.inodes.entry(key).or_default();
        if locks.flocks.iter().any(|&(o, e)| o != me && (e || ex)) {
            return false;
        }
        locks.flocks.push((me, ex));
        true
    };
    if try_take() {
        return Ok(());
    }
    if nonblock {
        return Err(Errno::EWOULDBLOCK);
    }
    wait::block_on(&[&RELEASED], None, || try_take().then_some(())).map_err(|e| e.restartsys())
}

/// A record-lock request after decoding `struct flock`.
#[derive(Clone, Copy, Debug)]
pub struct Request {
    /// F_RDLCK / F_WRLCK / F_UNLCK as `Some(false)`, `Some(true)`, `None`.
    pub kind: Option<bool>,
    pub start: u64,
    pub end: u64,
}

fn owner_addr(o: Owner) -> usize {
    match o {
        Owner::Posix(a) | Owner::Ofd(a) => a,
    }
}

/// The first lock conflicting with `r` on `key`.
fn conflict(st: &State, key: Key, r: &Range) -> Option<Range> {
    st.inodes
        .get(&key)
        .and_then(|l| l.ranges.iter().find(|x| x.conflicts(r)).copied())
}

/// Whether `me` waiting for `blocker` closes a cycle of blocked POSIX
/// owners.
fn deadlock(st: &State, me: usize, blocker: &Range) -> bool {
    let mut b = *blocker;
    for _ in 0..16 {
        let Owner::Posix(o) = b.owner else {
            return false;
        };
        if o == me {
            return true;
        }
        let Some((k, req)) = st.blocked.get(&o) else {
            return false;
        };
        match conflict(st, *k, req) {
            Some(next) => b = next,
            None => return false,
        }
    }
    false
}

/// Replace `owner`'s locks in `start..=end` by `kind` (None: unlock),
/// splitting and merging like Linux.
fn apply(list: &mut Vec<Range>, owner: Owner, pid: i32, kind: Option<bool>, start: u64, end: u64) {
    // Linux keeps each owner's locks together, sorted by start, at the
    // place the owner's first lock went (F_GETLK reports the first
    // conflict in that order).
    let at = list
        .iter()
        .position(|r| r.owner == owner)
        .unwrap_or(list.len());
    let mut others: Vec<Range> = Vec::with_capacity(list.len());
    let mut out: Vec<Range> = Vec::with_capacity(list.len() + 2);
    let mut new = kind.map(|write| Range {
        start,
        end,
        write,
        owner,
        pid,
    });
    for (i, r) in list.drain(..).enumerate() {
        if r.owner != owner {
            if i < at {
                others.push(r);
            } else {
                out.push(r);
            }
            continue;
        }
        // Same-type neighbours (touching or overlapping) merge into the
        // new lock.
        if let Some(n) = new.as_mut() {
            let touches = r.start <= n.end.saturating_add(1) && n.start <= r.end.saturating_add(1);
            if r.write == n.write && touches {
                n.start = n.start.min(r.start);
                n.end = n.end.max(r.end);
                continue;
            }
        }
        if !r.overlaps(start, end) {
            out.push(r);
            continue;
        }
        if r.start < start {
            out.push(Range {
                end: start - 1,
                ..r
            });
        }
        if r.end > end {
            out.push(Range {
                start: end + 1,
                ..r
            });
        }
    }
    if let Some(n) = new {
        out.push(n);
    }
    // `others` holds the other owners' locks before `at`; `out` this
    // owner's remaining locks mixed with the rest.
    let (mut mine, rest): (Vec<Range>, Vec<Range>) =
        out.into_iter().partition(|r| r.owner == owner);
    mine.sort_by_key(|r| r.start);
    others.extend(mine);
    others.extend(rest);
    *list = others;
}

/// F_SETLK / F_SETLKW / F_OFD_SETLK(W): set or clear a record lock.
pub fn set_record(
    f: &File,
    key: Key,
    owner: Owner,
    pid: i32,
    req: Request,
    wait: bool,
) -> Result<(), Errno> {
    if matches!(owner, Owner::Ofd(_)) {
        f.mark_locked();
    }
    let probe = Range {
        start: req.start,
        end: req.end,
        write: req.kind == Some(true),
        owner,
        pid,
    };
    let me = owner_addr(owner);
    let attempt = |st: &mut State| -> Result<bool, Errno> {
        if req.kind.is_some() {
            if let Some(c) = conflict(st, key, &probe) {
                if !wait {
                    return Err(Errno::EAGAIN);
                }
                if matches!(owner, Owner::Posix(_)) && deadlock(st, me, &c) {
                    return Err(Errno::EDEADLK);
                }
                if let Owner::Posix(o) = owner {
                    st.blocked.insert(o, (key, probe));
                }
                return Ok(false);
            }
        }
        let locks = st.inodes.entry(key).or_default();
        apply(&mut locks.ranges, owner, pid, req.kind, req.start, req.end);
        if locks.is_empty() {
            st.inodes.remove(&key);
        }
        recount(st);
        Ok(true)
    };
    let res = wait::block_on(&[&RELEASED], None, || {
        let mut st = state();
        match attempt(&mut st) {
            Ok(false) => None,
            r => Some(r.map(|_| ())),
        }
    });
    if let Owner::Posix(o) = owner {
        state().blocked.remove(&o);
    }
    // Unlocks and downgrades may let others in.
    RELEASED.notify_all();
    res.map_err(|e| e.restartsys())?
}

/// F_GETLK / F_OFD_GETLK: the first lock that would block `req`, or None.
/// An unlock request (F_OFD_GETLK with F_UNLCK) reports the owner's own
/// lock on the range instead (Linux >= 6.6).
pub fn get_record(key: Key, owner: Owner, req: Request) -> Option<Range> {
    if req.kind.is_none() {
        return state().inodes.get(&key).and_then(|l| {
            l.ranges
                .iter()
                .find(|r| r.owner == owner && r.overlaps(req.start, req.end))
                .copied()
        });
    }
    let probe = Range {
        start: req.start,
        end: req.end,
        write: req.kind == Some(true),
        owner,
        pid: 0,
    };
    conflict(&state(), key, &probe)
}

/// The open file description `f` is gone: drop its flock and OFD locks.
pub fn release_file(addr: usize) {
    let mut st = state();
    let mut any = false;
    st.inodes.retain(|_, l| {
        let before = l.flocks.len() + l.ranges.len();
        l.flocks.retain(|&(o, _)| o != addr);
        l.ranges.retain(|r| r.owner != Owner::Ofd(addr));
        any |= before != l.flocks.len() + l.ranges.len();
        !l.is_empty()
    });
    drop(st);
    if any {
        RELEASED.notify_all();
    }
}

/// The fd table `table` closed an fd of `f`: drop its POSIX locks on the
/// file (cheap when no POSIX lock exists anywhere).
pub fn close_posix(table: usize, f: &File) {
    if POSIX_LOCKS.load(Ordering::Relaxed) == 0 {
        return;
    }
    let owns = state()
        .inodes
        .values()
        .any(|l| l.ranges.iter().any(|r| r.owner == Owner::Posix(table)));
    if !owns {
        return;
    }
    let Ok(key) = key_of(f) else { return };
    let mut st = state();
    if let Some(l) = st.inodes.get_mut(&key) {
        l.ranges.retain(|r| r.owner != Owner::Posix(table));
        if l.is_empty() {
            st.inodes.remove(&key);
        }
    }
    recount(&st);
    drop(st);
    RELEASED.notify_all();
}

/// The fd table `table` is gone: drop all its POSIX locks.
pub fn release_table(table: usize) {
    if POSIX_LOCKS.load(Ordering::Relaxed) == 0 {
        return;
    }
    let mut st = state();
    st.inodes.retain(|_, l| {
        l.ranges.retain(|r| r.owner != Owner::Posix(table));
        !l.is_empty()
    });
    st.blocked.remove(&table);
    recount(&st);
    drop(st);
    RELEASED.notify_all();
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(start: u64, end: u64, write: bool, o: usize) -> Range {
        Range {
            start,
            end,
            write,
            owner: Owner::Posix(o),
            pid: 1,
        }
    }

    #[test]
    fn split_and_merge() {
        let mut l = Vec::new();
        apply(&mut l, Owner::Posix(1), 1, Some(true), 0, 99);
        apply(&mut l, Owner::Posix(1), 1, None, 10, 19);
        assert_eq!(l, vec![r(0, 9, true, 1), r(20, 99, true, 1)]);
        apply(&mut l, Owner::Posix(1), 1, Some(false), 5, 24);
        assert_eq!(
            l,
            vec![r(0, 4, true, 1), r(5, 24, false, 1), r(25, 99, true, 1)]
        );
        apply(&mut l, Owner::Posix(1), 1, Some(true), 0, 99);
        assert_eq!(l, vec![r(0, 99, true, 1)]);
        apply(&mut l, Owner::Posix(1), 1, Some(true), 100, u64::MAX);
        assert_eq!(l, vec![r(0, u64::MAX, true, 1)]);
    }

    #[test]
    fn conflicts_need_a_writer_and_another_owner() {
        assert!(r(0, 9, true, 1).conflicts(&r(5, 5, false, 2)));
        assert!(!r(0, 9, false, 1).conflicts(&r(5, 5, false, 2)));
        assert!(!r(0, 9, true, 1).conflicts(&r(5, 5, true, 1)));
        assert!(!r(0, 9, true, 1).conflicts(&r(10, 20, true, 2)));
    }
}
