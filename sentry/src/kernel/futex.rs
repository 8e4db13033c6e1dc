//! Futex wait queues (DESIGN §7).
//!
//! Private futexes are keyed by address space and address; futexes in
//! MAP_SHARED memory by the memory object and offset, so processes that map
//! the same memory at different addresses meet on the same key. Waiting goes
//! through the kernel's one wait primitive, so signals interrupt it.

use super::wait::{self, WaitError};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;
use syscalls::Errno;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Key {
    /// (address space identity, address)
    Private(usize, u64),
    /// (memory object identity, offset)
    Shared(usize, u64),
}

struct Waiter {
    waker: Arc<wait::Waker>,
    bitset: u32,
    woken: AtomicBool,
    /// The tid of the waiting task (PI hand-off).
    tid: i32,
}

#[derive(Default)]
pub struct Futexes {
    table: Mutex<HashMap<Key, Vec<Arc<Waiter>>>>,
}

impl Futexes {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Vec<Arc<Waiter>>>> {
        self.table.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// FUTEX_WAIT: if `still_blocked()` (the value check, run under the
    /// table lock so no wake-up slips in between) holds, sleep until woken,
    /// the deadline, or a signal.
    pub fn wait(
        &self,
        key: Key,
        bitset: u32,
        deadline: Option<Instant>,
        tid: i32,
        still_blocked: impl FnOnce() -> Result<bool, Errno>,
    ) -> Result<(), Errno> {
        let w = Arc::new(Waiter {
            waker: wait::current_waker(),
            bitset,
            woken: AtomicBool::new(false),
            tid,
        });
        {
            let mut t = self.lock();
            if !still_blocked()? {
                return Err(Errno::EAGAIN);
            }
            t.entry(key).or_default().push(w.clone());
        }
        let r = wait::block_on(&[], deadline, || {
            w.woken.load(Ordering::SeqCst).then_some(())
        });
        if r.is_ok() {
            return Ok(());
        }
        // Leave the queue (wherever a requeue moved us); a wake that raced
        // with the timeout or signal still counts as a wake.
        let mut t = self.lock();
        if w.woken.load(Ordering::SeqCst) {
            return Ok(());
        }
        for q in t.values_mut() {
            q.retain(|x| !Arc::ptr_eq(x, &w));
        }
        t.retain(|_, q| !q.is_empty());
        match r {
            Err(WaitError::TimedOut) => Err(Errno::ETIMEDOUT),
            _ => Err(Errno::ERESTARTSYS),
        }
    }

    fn wake_locked(
        t: &mut HashMap<Key, Vec<Arc<Waiter>>>,
        key: Key,
        n: u32,
        bitset: u32,
    ) -> (u32, Option<i32>) {
        let mut woken = 0;
        let mut first = None;
        if let Some(q) = t.get_mut(&key) {
            q.retain(|w| {
                if woken < n && w.bitset & bitset != 0 {
                    woken += 1;
                    first.get_or_insert(w.tid);
                    w.woken.store(true, Ordering::SeqCst);
                    w.waker.fire();
                    false
                } else {
                    true
                }
            });
            if q.is_empty() {
                t.remove(&key);
            }
        }
        (woken, first)
    }

    /// FUTEX_WAKE: wake up to `n` waiters whose bitset intersects `bitset`.
    pub fn wake(&self, key: Key, n: u32, bitset: u32) -> u32 {
        Self::wake_locked(&mut self.lock(), key, n, bitset).0
    }

    /// Wake one waiter and return its tid (PI unlock hand-off).
    pub fn wake_one_tid(&self, key: Key) -> Option<i32> {
        Self::wake_locked(&mut self.lock(), key, 1, u32::MAX).1
    }

    /// Whether anyone waits on `key`.
    pub fn has_waiters(&self, key: Key) -> bool {
        self.lock().get(&key).is_some_and(|q| !q.is_empty())
    }

    /// FUTEX_REQUEUE / CMP_REQUEUE: wake `nwake` waiters of `from`, move up
    /// to `nmove` of the rest to `to`. `check` runs under the lock
    /// (CMP_REQUEUE's value comparison).
    pub fn requeue(
        &self,
        from: Key,
        to: Key,
        nwake: u32,
        nmove: u32,
        check: impl FnOnce() -> Result<bool, Errno>,
    ) -> Result<u32, Errno> {
        let mut t = self.lock();
        if !check()? {
            return Err(Errno::EAGAIN);
        }
        let (woken, _) = Self::wake_locked(&mut t, from, nwake, u32::MAX);
        let mut moved = Vec::new();
        if from != to {
            if let Some(q) = t.get_mut(&from) {
                let n = (nmove as usize).min(q.len());
                moved = q.drain(..n).collect();
                if q.is_empty() {
                    t.remove(&from);
                }
            }
        }
        let n = moved.len() as u32;
        if !moved.is_empty() {
            t.entry(to).or_default().extend(moved);
        }
        Ok(woken + n)
    }

    /// Run `f` with the table locked (FUTEX_WAKE_OP's read-modify-write).
    pub fn locked<R>(&self, f: impl FnOnce(&mut dyn FnMut(Key, u32) -> u32) -> R) -> R {
        let mut t = self.lock();
        let mut wake = |k: Key, n: u32| Self::wake_locked(&mut t, k, n, u32::MAX).0;
        f(&mut wake)
    }
}
