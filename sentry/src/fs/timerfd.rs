//! timerfd(2): a timer whose expirations are read as a `u64` count.
//!
//! The timer keeps its next expiry on its clock's timeline (read from the
//! host clock: REALTIME, MONOTONIC, BOOTTIME and their ALARM variants).
//! Expirations are counted lazily whenever the timer is looked at (read,
//! poll, gettime), so nothing runs in the background; a blocking read sleeps
//! until the next expiry. Nothing notifies the file when the timer expires,
//! so [`FileOps::poll`] has no queue and pollers (poll, select, epoll)
//! re-check it periodically. A step of CLOCK_REALTIME is not noticed until
//! the next look (TFD_TIMER_CANCEL_ON_SET is accepted, never triggers).

use crate::kernel::timers::{host_clock_ns, Ns, NSEC_PER_SEC};
use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::POLLIN;
use crate::vfs::{File, FileOps};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use syscalls::consts::{O_NONBLOCK, O_RDWR};
use syscalls::Errno;

#[derive(Default)]
struct State {
    /// Next expiry on the clock's timeline; None when disarmed.
    next: Option<Ns>,
    interval: Ns,
    /// Expirations not read yet.
    ticks: u64,
}

pub struct TimerFd {
    clock: i32,
    state: Mutex<State>,
    /// Never notified (see the module docs); for blocking reads' API only.
    queue: WaitQueue,
}

/// A setting as (value, interval) in nanoseconds; value 0 = disarmed.
pub type Setting = (Ns, Ns);

/// A new timerfd on host clock `clock`; `flags` may hold O_NONBLOCK.
pub fn new_timerfd(clock: i32, flags: u32) -> Arc<File> {
    File::new(
        Box::new(TimerFd {
            clock,
            state: Mutex::default(),
            queue: WaitQueue::default(),
        }),
        O_RDWR | (flags & O_NONBLOCK),
        None,
    )
}

/// The timerfd behind a file, if it is one.
pub fn as_timerfd(file: &File) -> Option<&TimerFd> {
    file.ops.as_any().and_then(|a| a.downcast_ref::<TimerFd>())
}

impl TimerFd {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn now(&self) -> Ns {
        host_clock_ns(self.clock).unwrap_or(0)
    }

    /// Count the expirations up to now into `ticks`.
    fn update(&self, s: &mut State) -> Ns {
        let now = self.now();
        if let Some(next) = s.next {
            if next <= now {
                if s.interval > 0 {
                    let n = (now - next) / s.interval + 1;
                    s.ticks = s.ticks.saturating_add(u64::try_from(n).unwrap_or(u64::MAX));
                    s.next = Some(next + n * s.interval);
                } else {
                    s.ticks = s.ticks.saturating_add(1);
                    s.next = None;
                }
            }
        }
        now
    }

    /// The current setting: time left and interval (timerfd_gettime).
    pub fn get(&self) -> Setting {
        let mut s = self.lock();
        let now = self.update(&mut s);
        let left = s.next.map_or(0, |n| (n - now).max(1));
        (left, s.interval)
    }

    /// Arm (value != 0) or disarm the timer; returns the old setting.
    pub fn set(&self, value: Ns, interval: Ns, abs: bool) -> Setting {
        let mut s = self.lock();
        let now = self.update(&mut s);
        let old = (s.next.map_or(0, |n| (n - now).max(1)), s.interval);
        s.ticks = 0;
        s.interval = interval;
        s.next = if value == 0 {
            None
        } else if abs {
            Some(value)
        } else {
            Some(now + value)
        };
        old
    }

    /// Take the expiration count if non-zero; else the instant of the next
    /// expiry (None if disarmed).
    fn take(&self) -> Result<u64, Option<Instant>> {
        let mut s = self.lock();
        let now = self.update(&mut s);
        if s.ticks > 0 {
            return Ok(std::mem::take(&mut s.ticks));
        }
        Err(s.next.map(|n| {
            let ns = u64::try_from((n - now).max(0)).unwrap_or(u64::MAX);
            crate::syscalls::time::deadline_after(Duration::from_nanos(ns))
        }))
    }
}

impl FileOps for TimerFd {
    fn proc_name(&self) -> Option<String> {
        Some("anon_inode:[timerfd]".into())
    }
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        let out = buf.get_mut(..8).ok_or(Errno::EINVAL)?;
        let n = loop {
            match self.take() {
                Ok(n) => break n,
                Err(_) if file.flags() & O_NONBLOCK != 0 => return Err(Errno::EAGAIN),
                Err(until) => {
                    let r = block_on(&[&self.queue], until, || self.take().ok());
                    match r {
                        Ok(n) => break n,
                        Err(crate::kernel::wait::WaitError::TimedOut) => continue,
                        Err(e) => return Err(e.restartsys()),
                    }
                }
            }
        };
        out.copy_from_slice(&n.to_ne_bytes());
        Ok(8)
    }
    super::anon::anon_inode_ops!();
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let mut s = self.lock();
        self.update(&mut s);
        (if s.ticks > 0 { POLLIN } else { 0 }, None)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// Nanoseconds of a valid timespec.
pub fn ts_ns(sec: i64, nsec: i64) -> Ns {
    Ns::from(sec) * NSEC_PER_SEC + Ns::from(nsec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expirations_count() {
        let f = new_timerfd(syscalls::consts::CLOCK_MONOTONIC, O_NONBLOCK);
        let Some(tf) = as_timerfd(&f) else { return };
        let mut b = [0u8; 8];
        assert_eq!(f.ops.read(&f, &mut b, 0), Err(Errno::EAGAIN));
        tf.set(1_000_000, 1_000_000, false);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(f.ops.read(&f, &mut b, 0), Ok(8));
        assert!(u64::from_ne_bytes(b) >= 4);
        assert_eq!(tf.set(0, 0, false).1, 1_000_000);
        assert_eq!(tf.get(), (0, 0));
    }
}
