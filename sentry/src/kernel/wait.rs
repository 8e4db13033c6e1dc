//! The one blocking primitive of the sentry (DESIGN §7).
//!
//! Every task has a [`Waker`]. A blocking operation registers the current
//! task's waker on the [`WaitQueue`]s of what it waits for (a pipe, a child's
//! exit, a futex), re-checks its condition, and sleeps until the waker fires
//! or a deadline passes. Sending a signal, stopping or killing a task fires
//! its waker too, so every sleep in a syscall can be interrupted: the caller
//! then returns `EINTR` or one of the restart codes, as Linux does.
//!
//! The current task is found through a thread-local (one sentry OS thread
//! per task), so code that has no `Task` at hand (file operations) can block
//! interruptibly as well. Outside a task thread (unit tests) blocking works
//! the same but cannot be interrupted.

use super::signal::TaskShared;
use std::cell::RefCell;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Instant;

/// Wakes one sleeping thread. Firing is remembered (a sequence number), so a
/// wake-up between the condition check and the sleep is never lost.
#[derive(Default)]
pub struct Waker {
    seq: Mutex<u64>,
    cv: Condvar,
    /// Run on every fire (after the sleeper is woken): how an epoll item
    /// learns that its file's queue was notified.
    hook: Option<Box<dyn Fn() + Send + Sync>>,
}

impl Waker {
    /// A waker that also runs `hook` each time it fires. The hook runs on
    /// the notifying thread with no wait-queue lock held.
    pub fn with_hook(hook: impl Fn() + Send + Sync + 'static) -> Waker {
        Waker {
            hook: Some(Box::new(hook)),
            ..Waker::default()
        }
    }

    pub fn fire(&self) {
        let mut s = self.seq.lock().unwrap_or_else(|p| p.into_inner());
        *s = s.wrapping_add(1);
        self.cv.notify_all();
        drop(s);
        if let Some(h) = &self.hook {
            h();
        }
    }

    fn seq(&self) -> u64 {
        *self.seq.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sleep until fired after `seen` was read, or until `deadline`.
    fn sleep(&self, seen: u64, deadline: Option<Instant>) {
        let mut s = self.seq.lock().unwrap_or_else(|p| p.into_inner());
        while *s == seen {
            match deadline {
                None => s = self.cv.wait(s).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let now = Instant::now();
                    if now >= d {
                        return;
                    }
                    s = self
                        .cv
                        .wait_timeout(s, d - now)
                        .unwrap_or_else(|p| p.into_inner())
                        .0;
                }
            }
        }
    }
}

/// Wakers waiting for something. Notifying fires every registered waker and
/// empties the queue; sleepers register again each time they re-check.
#[derive(Default)]
pub struct WaitQueue {
    waiters: Mutex<Vec<Arc<Waker>>>,
}

impl WaitQueue {
    pub fn register(&self, w: &Arc<Waker>) {
        let mut q = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        if !q.iter().any(|x| Arc::ptr_eq(x, w)) {
            q.push(w.clone());
        }
    }

    pub fn unregister(&self, w: &Arc<Waker>) {
        let mut q = self.waiters.lock().unwrap_or_else(|p| p.into_inner());
        q.retain(|x| !Arc::ptr_eq(x, w));
    }

    pub fn notify_all(&self) {
        let q = std::mem::take(&mut *self.waiters.lock().unwrap_or_else(|p| p.into_inner()));
        for w in q {
            w.fire();
        }
    }
}

/// Why a block ended without its condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitError {
    /// A signal (or a stop or a kill) is pending for the task.
    Interrupted,
    TimedOut,
}

impl WaitError {
    /// The errno a syscall returns for this outcome when it restarts after
    /// a handler only with SA_RESTART (most blocking calls).
    pub fn restartsys(self) -> syscalls::Errno {
        match self {
            WaitError::Interrupted => syscalls::Errno::ERESTARTSYS,
            WaitError::TimedOut => syscalls::Errno::ETIMEDOUT,
        }
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Arc<TaskShared>>> = const { RefCell::new(None) };
    static KERNEL: RefCell<Option<Arc<super::Kernel>>> = const { RefCell::new(None) };
    static LONE: Arc<Waker> = Arc::new(Waker::default());
}

/// Make `t` the task of the calling sentry thread.
pub fn set_current(t: Option<Arc<TaskShared>>) {
    CURRENT.with(|c| *c.borrow_mut() = t);
}

/// Make `k` the kernel of the calling sentry thread.
pub fn set_current_kernel(k: Option<Arc<super::Kernel>>) {
    KERNEL.with(|c| *c.borrow_mut() = k);
}

/// The kernel of the calling sentry thread (for code that has no `Task`,
/// like file operations that must signal a process group).
pub fn current_kernel() -> Option<Arc<super::Kernel>> {
    KERNEL.with(|c| c.borrow().clone())
}

/// The task of the calling sentry thread, if any.
pub fn current() -> Option<Arc<TaskShared>> {
    CURRENT.with(|c| c.borrow().clone())
}

/// The waker of the calling thread: its task's, or a per-thread one.
pub fn current_waker() -> Arc<Waker> {
    match current() {
        Some(t) => t.waker().clone(),
        None => LONE.with(|w| w.clone()),
    }
}

/// Block until `ready` returns `Some`, the deadline passes, or (on a task
/// thread) the task is interrupted. `ready` is called with the waker
/// registered on every queue, so no wake-up is missed.
pub fn block_on<T>(
    queues: &[&WaitQueue],
    deadline: Option<Instant>,
    ready: impl FnMut() -> Option<T>,
) -> Result<T, WaitError> {
    block(queues, deadline, ready, false)
}

/// Like [`block_on`], but only a kill (not a signal) interrupts it
/// (Linux's TASK_KILLABLE sleeps).
pub fn block_on_killable<T>(
    queues: &[&WaitQueue],
    deadline: Option<Instant>,
    ready: impl FnMut() -> Option<T>,
) -> Result<T, WaitError> {
    block(queues, deadline, ready, true)
}

fn block<T>(
    queues: &[&WaitQueue],
    deadline: Option<Instant>,
    mut ready: impl FnMut() -> Option<T>,
    killable_only: bool,
) -> Result<T, WaitError> {
    let task = current();
    let waker = match &task {
        Some(t) => t.waker().clone(),
        None => LONE.with(|w| w.clone()),
    };
    let result = loop {
        for q in queues {
            q.register(&waker);
        }
        let seen = waker.seq();
        if let Some(v) = ready() {
            break Ok(v);
        }
        if task.as_ref().is_some_and(|t| {
            if killable_only {
                t.killed()
            } else {
                t.interrupted()
            }
        }) {
            break Err(WaitError::Interrupted);
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break Err(WaitError::TimedOut);
        }
        waker.sleep(seen, deadline);
    };
    for q in queues {
        q.unregister(&waker);
    }
    result
}

/// Sleep until the deadline (or forever) unless interrupted.
pub fn sleep_until(deadline: Option<Instant>) -> Result<(), WaitError> {
    match block_on::<()>(&[], deadline, || None) {
        Err(WaitError::TimedOut) => Ok(()),
        Err(e) => Err(e),
        Ok(()) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn notify_wakes_a_blocked_thread() {
        let q = Arc::new(WaitQueue::default());
        let flag = Arc::new(Mutex::new(false));
        let (q2, f2) = (q.clone(), flag.clone());
        let h =
            std::thread::spawn(move || block_on(&[&q2], None, || f2.lock().unwrap().then_some(7)));
        std::thread::sleep(Duration::from_millis(20));
        *flag.lock().unwrap() = true;
        q.notify_all();
        assert_eq!(h.join().unwrap(), Ok(7));
    }

    #[test]
    fn deadline_times_out() {
        let q = WaitQueue::default();
        let start = Instant::now();
        let r = block_on::<()>(&[&q], Some(start + Duration::from_millis(30)), || None);
        assert_eq!(r, Err(WaitError::TimedOut));
        assert!(start.elapsed() >= Duration::from_millis(30));
    }
}
