//! Syscall handlers: futex (decode and validate; the wait queues are
//! `kernel::futex`), plus the robust-list and clear-child-tid work done when
//! a thread exits.

use super::{Support, SysResult, Table};
use crate::kernel::futex::Key;
use crate::kernel::task::Task;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use syscalls::abi::Timespec;
use syscalls::nr;
use syscalls::Errno;

pub fn register(t: &mut Table) {
    t.set(
        nr::FUTEX,
        sys_futex,
        Support::Partial(
            "WAIT/WAKE/REQUEUE/CMP_REQUEUE/WAKE_OP/BITSET and basic LOCK_PI/TRYLOCK_PI/UNLOCK_PI \
             (no priority inheritance); no WAIT_REQUEUE_PI",
        ),
    );
}

const FUTEX_WAIT: u64 = 0;
const FUTEX_WAKE: u64 = 1;
const FUTEX_REQUEUE: u64 = 3;
const FUTEX_CMP_REQUEUE: u64 = 4;
const FUTEX_WAKE_OP: u64 = 5;
const FUTEX_LOCK_PI: u64 = 6;
const FUTEX_UNLOCK_PI: u64 = 7;
const FUTEX_TRYLOCK_PI: u64 = 8;
const FUTEX_WAIT_BITSET: u64 = 9;
const FUTEX_WAKE_BITSET: u64 = 10;
const FUTEX_LOCK_PI2: u64 = 13;
const FUTEX_PRIVATE_FLAG: u64 = 128;
const FUTEX_CLOCK_REALTIME: u64 = 256;

const FUTEX_WAITERS: u32 = 0x8000_0000;
const FUTEX_OWNER_DIED: u32 = 0x4000_0000;
const FUTEX_TID_MASK: u32 = 0x3fff_ffff;

/// The wait-queue key of the futex word at `addr`.
fn key(t: &Task, addr: u64, private: bool) -> Result<Key, Errno> {
    if !addr.is_multiple_of(4) {
        return Err(Errno::EINVAL);
    }
    if !private {
        if let Some((obj, off)) = t.mm.shared_key(addr)? {
            return Ok(Key::Shared(obj, off));
        }
    }
    Ok(Key::Private(Arc::as_ptr(&t.mm) as usize, addr))
}

fn load(t: &Task, addr: u64) -> Result<u32, Errno> {
    t.mm.with_atomic_u32(addr, false, |w| w.load(Ordering::SeqCst))
}

/// A timeout argument: relative (FUTEX_WAIT) or absolute on the chosen clock.
fn deadline(t: &Task, ptr: u64, absolute: bool, realtime: bool) -> Result<Option<Instant>, Errno> {
    if ptr == 0 {
        return Ok(None);
    }
    let ts: Timespec = t.mm.read_obj(ptr)?;
    if ts.tv_sec < 0 || !(0..1_000_000_000).contains(&ts.tv_nsec) {
        return Err(Errno::EINVAL);
    }
    let d = Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32);
    let wait = if absolute {
        let clock = if realtime {
            nix::time::ClockId::CLOCK_REALTIME
        } else {
            nix::time::ClockId::CLOCK_MONOTONIC
        };
        let now = nix::time::clock_gettime(clock).map_err(|_| Errno::EINVAL)?;
        d.saturating_sub(Duration::new(now.tv_sec() as u64, now.tv_nsec() as u32))
    } else {
        d
    };
    Ok(Some(crate::syscalls::time::deadline_after(wait)))
}

fn sys_futex(t: &mut Task, a: &[u64; 6]) -> SysResult {
    let (uaddr, op, val, timeout, uaddr2, val3) =
        (a[0], a[1], a[2] as u32, a[3], a[4], a[5] as u32);
    let private = op & FUTEX_PRIVATE_FLAG != 0;
    let realtime = op & FUTEX_CLOCK_REALTIME != 0;
    let cmd = op & !(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
    if realtime && !matches!(cmd, FUTEX_WAIT | FUTEX_WAIT_BITSET | FUTEX_LOCK_PI2) {
        return Err(Errno::ENOSYS);
    }
    let k = t.k.clone();
    match cmd {
        FUTEX_WAIT | FUTEX_WAIT_BITSET => {
            let bitset = if cmd == FUTEX_WAIT { u32::MAX } else { val3 };
            if bitset == 0 {
                return Err(Errno::EINVAL);
            }
            let dl = deadline(t, timeout, cmd == FUTEX_WAIT_BITSET, realtime)?;
            timed_wait(t, uaddr, val, bitset, private, dl)
        }
        FUTEX_WAKE | FUTEX_WAKE_BITSET => {
            let bitset = if cmd == FUTEX_WAKE { u32::MAX } else { val3 };
            if bitset == 0 {
                return Err(Errno::EINVAL);
            }
            let key = key(t, uaddr, private)?;
            Ok(k.futexes.wake(key, val, bitset) as u64)
        }
        FUTEX_REQUEUE | FUTEX_CMP_REQUEUE => {
            let nmove = timeout as i64;
            if (val as i32) < 0 || nmove < 0 {
                return Err(Errno::EINVAL);
            }
            let (k1, k2) = (key(t, uaddr, private)?, key(t, uaddr2, private)?);
            let n = k
                .futexes
                .requeue(k1, k2, val, nmove.min(u32::MAX as i64) as u32, || {
                    Ok(cmd == FUTEX_REQUEUE || load(t, uaddr)? == val3)
                })?;
            Ok(n as u64)
        }
        FUTEX_WAKE_OP => wake_op(t, uaddr, uaddr2, val, timeout as u32, val3, private),
        FUTEX_LOCK_PI | FUTEX_LOCK_PI2 => {
            let dl = deadline(t, timeout, true, cmd == FUTEX_LOCK_PI || realtime)?;
            lock_pi(t, uaddr, private, dl)
        }
        FUTEX_TRYLOCK_PI => {
            let tid = t.tid as u32;
            t.mm.with_atomic_u32(uaddr, true, |w| loop {
                let v = w.load(Ordering::SeqCst);
                if v & FUTEX_TID_MASK == tid {
                    return Err(Errno::EDEADLK);
                }
                if v & FUTEX_TID_MASK != 0 {
                    return Err(Errno::EAGAIN);
                }
                let new = tid | (v & (FUTEX_OWNER_DIED | FUTEX_WAITERS));
                if w.compare_exchange(v, new, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok()
                {
                    return Ok(0);
                }
            })?
        }
        FUTEX_UNLOCK_PI => unlock_pi(t, uaddr, private),
        _ => Err(Errno::ENOSYS),
    }
}

/// A futex wait; a timed one interrupted by a signal continues through
/// restart_syscall(2) to the same absolute deadline (after a handler both
/// give EINTR), an untimed one restarts (ERESTARTSYS).
fn timed_wait(
    t: &mut Task,
    uaddr: u64,
    val: u32,
    bitset: u32,
    private: bool,
    dl: Option<Instant>,
) -> SysResult {
    let key = key(t, uaddr, private)?;
    let k = t.k.clone();
    let r = k
        .futexes
        .wait(key, bitset, dl, t.tid, || Ok(load(t, uaddr)? == val));
    match (r, dl) {
        (Ok(()), _) => Ok(0),
        (Err(Errno::ERESTARTSYS), Some(deadline)) => {
            t.restart_block = Some(crate::kernel::task::RestartBlock::Futex {
                uaddr,
                val,
                bitset,
                private,
                deadline,
            });
            Err(Errno::ERESTART_RESTARTBLOCK)
        }
        (Err(e), _) => Err(e),
    }
}

/// restart_syscall(2) of an interrupted timed futex wait.
pub fn restart_wait(
    t: &mut Task,
    uaddr: u64,
    val: u32,
    bitset: u32,
    private: bool,
    deadline: Instant,
) -> SysResult {
    timed_wait(t, uaddr, val, bitset, private, Some(deadline))
}

fn wake_op(
    t: &Task,
    uaddr: u64,
    uaddr2: u64,
    n1: u32,
    n2: u32,
    enc: u32,
    private: bool,
) -> SysResult {
    let (k1, k2) = (key(t, uaddr, private)?, key(t, uaddr2, private)?);
    let op = (enc >> 28) & 7;
    let cmp = (enc >> 24) & 15;
    // 12-bit signed fields.
    let mut oparg = (((enc << 8) as i32) >> 20) as u32;
    let cmparg = ((enc << 20) as i32) >> 20;
    if enc & (8 << 28) != 0 {
        oparg = 1u32 << (oparg & 31);
    }
    // Linux rejects an unknown operation before touching the word, but an
    // unknown comparison only after the operation was applied.
    if op > 4 {
        return Err(Errno::ENOSYS);
    }
    let apply = |old: u32| match op {
        0 => oparg,
        1 => old.wrapping_add(oparg),
        2 => old | oparg,
        3 => old & !oparg,
        _ => old ^ oparg,
    };
    let k = t.k.clone();
    k.futexes.locked(|wake| {
        let old = t.mm.with_atomic_u32(uaddr2, true, |w: &AtomicU32| {
            match w.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| Some(apply(v))) {
                Ok(v) | Err(v) => v,
            }
        })?;
        if cmp > 5 {
            return Err(Errno::ENOSYS);
        }
        let mut woken = wake(k1, n1);
        let o = old as i32;
        let hit = match cmp {
            0 => o == cmparg,
            1 => o != cmparg,
            2 => o < cmparg,
            3 => o <= cmparg,
            4 => o > cmparg,
            _ => o >= cmparg,
        };
        if hit {
            woken += wake(k2, n2);
        }
        Ok(woken as u64)
    })
}

fn lock_pi(t: &Task, uaddr: u64, private: bool, dl: Option<Instant>) -> SysResult {
    let key = key(t, uaddr, private)?;
    let tid = t.tid as u32;
    loop {
        let mut acquired = false;
        let r = t.k.futexes.wait(key, u32::MAX, dl, t.tid, || {
            t.mm.with_atomic_u32(uaddr, true, |w| loop {
                let v = w.load(Ordering::SeqCst);
                if v & FUTEX_TID_MASK == 0 {
                    let new = tid | (v & FUTEX_OWNER_DIED);
                    if w.compare_exchange(v, new, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                    {
                        acquired = true;
                        return Ok(false);
                    }
                    continue;
                }
                if v & FUTEX_TID_MASK == tid {
                    return Err(Errno::EDEADLK);
                }
                if v & FUTEX_WAITERS != 0
                    || w.compare_exchange(v, v | FUTEX_WAITERS, Ordering::SeqCst, Ordering::SeqCst)
                        .is_ok()
                {
                    return Ok(true);
                }
            })?
        });
        match r {
            Err(Errno::EAGAIN) if acquired => return Ok(0),
            Err(Errno::ERESTARTSYS) => return Err(Errno::ERESTARTNOINTR),
            Err(e) => return Err(e),
            // Woken by an unlock: it handed the lock to us, or retry.
            Ok(()) => {
                if load(t, uaddr)? & FUTEX_TID_MASK == tid {
                    return Ok(0);
                }
            }
        }
    }
}

fn unlock_pi(t: &Task, uaddr: u64, private: bool) -> SysResult {
    let key = key(t, uaddr, private)?;
    let tid = t.tid as u32;
    let v = load(t, uaddr)?;
    if v & FUTEX_TID_MASK != tid {
        return Err(Errno::EPERM);
    }
    let k = t.k.clone();
    // Hand the lock to the first waiter, or release it.
    match k.futexes.wake_one_tid(key) {
        Some(next) => {
            let more = k.futexes.has_waiters(key);
            let new = next as u32 | if more { FUTEX_WAITERS } else { 0 };
            t.mm.with_atomic_u32(uaddr, true, |w| w.store(new, Ordering::SeqCst))?;
        }
        None => {
            t.mm.with_atomic_u32(uaddr, true, |w| w.store(0, Ordering::SeqCst))?;
        }
    }
    Ok(0)
}

/// Wake up to `n` waiters of the futex at `addr` in `t`'s address space
/// (CLONE_CHILD_CLEARTID at thread exit).
pub fn wake_address(t: &Task, addr: u64, n: u32) {
    if let Ok(key) = key(t, addr, false) {
        t.k.futexes.wake(key, n, u32::MAX);
    }
}

/// Linux's ROBUST_LIST_LIMIT.
const ROBUST_LIST_LIMIT: usize = 2048;

/// At thread exit: mark every robust futex the thread still holds as
/// FUTEX_OWNER_DIED and wake one waiter of each.
pub fn exit_robust_list(t: &Task) {
    let (head, len) = t.robust_list;
    if head == 0 || len != 24 {
        return;
    }
    let Ok(first) = t.mm.read_obj::<u64>(head) else {
        return;
    };
    let Ok(offset) = t.mm.read_obj::<i64>(head + 8) else {
        return;
    };
    let pending = t.mm.read_obj::<u64>(head + 16).unwrap_or(0);
    let mut entry = first;
    let mut n = 0;
    while entry != head && entry != 0 && n < ROBUST_LIST_LIMIT {
        let next = t.mm.read_obj::<u64>(entry & !1);
        if entry != pending {
            owner_died(t, (entry & !1).wrapping_add(offset as u64));
        }
        match next {
            Ok(nx) => entry = nx,
            Err(_) => break,
        }
        n += 1;
    }
    if pending != 0 {
        owner_died(t, (pending & !1).wrapping_add(offset as u64));
    }
}

fn owner_died(t: &Task, uaddr: u64) {
    let tid = t.tid as u32;
    let waiters = t.mm.with_atomic_u32(uaddr, true, |w| loop {
        let v = w.load(Ordering::SeqCst);
        if v & FUTEX_TID_MASK != tid {
            return false;
        }
        let new = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
        if w.compare_exchange(v, new, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            return v & FUTEX_WAITERS != 0;
        }
    });
    if waiters == Ok(true) {
        wake_address(t, uaddr, 1);
    }
}
