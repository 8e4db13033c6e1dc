//! eventfd(2): a 64-bit counter with a wait queue.
//!
//! As Linux's fs/eventfd.c: reads move 8 bytes (EINVAL for shorter buffers),
//! writes take exactly 8 (EINVAL otherwise); a read returns the counter and zeroes it (or returns 1
//! and decrements it with EFD_SEMAPHORE) and blocks at zero; a write adds its
//! value and blocks while the sum would reach `u64::MAX` (which itself is
//! EINVAL). Blocking sleeps are interruptible (ERESTARTSYS).

use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::{POLLERR, POLLIN, POLLOUT};
use crate::vfs::{File, FileOps};
use std::sync::{Arc, Mutex, MutexGuard};
use syscalls::consts::{O_NONBLOCK, O_RDWR};
use syscalls::Errno;

/// EFD_SEMAPHORE.
pub const EFD_SEMAPHORE: u32 = 1;

pub struct EventFd {
    count: Mutex<u64>,
    semaphore: bool,
    queue: WaitQueue,
}

/// A new eventfd file with `init` as its counter; `flags` may hold
/// O_NONBLOCK (EFD_NONBLOCK).
pub fn new_eventfd(init: u64, semaphore: bool, flags: u32) -> Arc<File> {
    File::new(
        Box::new(EventFd {
            count: Mutex::new(init),
            semaphore,
            queue: WaitQueue::default(),
        }),
        O_RDWR | (flags & O_NONBLOCK),
        None,
    )
}

impl EventFd {
    fn lock(&self) -> MutexGuard<'_, u64> {
        self.count.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Take what a read returns, if the counter is not zero.
    fn try_read(&self) -> Option<u64> {
        let mut c = self.lock();
        if *c == 0 {
            return None;
        }
        let v = if self.semaphore { 1 } else { *c };
        *c -= v;
        drop(c);
        self.queue.notify_all();
        Some(v)
    }

    /// Add `v` if the sum stays below `u64::MAX`.
    fn try_write(&self, v: u64) -> Option<()> {
        let mut c = self.lock();
        if u64::MAX - *c <= v {
            return None;
        }
        *c += v;
        drop(c);
        if v != 0 {
            self.queue.notify_all();
        }
        Some(())
    }
}

impl FileOps for EventFd {
    fn proc_name(&self) -> Option<String> {
        Some("anon_inode:[eventfd]".into())
    }
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        let out = buf.get_mut(..8).ok_or(Errno::EINVAL)?;
        let v = match self.try_read() {
            Some(v) => v,
            None if file.flags() & O_NONBLOCK != 0 => return Err(Errno::EAGAIN),
            None => {
                block_on(&[&self.queue], None, || self.try_read()).map_err(|e| e.restartsys())?
            }
        };
        out.copy_from_slice(&v.to_ne_bytes());
        Ok(8)
    }
    fn write(&self, file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        // Exactly 8 bytes (Linux's eventfd_write).
        let raw: [u8; 8] = buf.try_into().map_err(|_| Errno::EINVAL)?;
        let v = u64::from_ne_bytes(raw);
        if v == u64::MAX {
            return Err(Errno::EINVAL);
        }
        if self.try_write(v).is_none() {
            if file.flags() & O_NONBLOCK != 0 {
                return Err(Errno::EAGAIN);
            }
            block_on(&[&self.queue], None, || self.try_write(v)).map_err(|e| e.restartsys())?;
        }
        Ok(8)
    }
    super::anon::anon_inode_ops!();
    /// Linux's eventfd_poll: readable when non-zero, writable while a write
    /// of 1 would not block, in error at `u64::MAX` (unreachable by writes).
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let c = *self.lock();
        let mut mask = 0;
        if c > 0 {
            mask |= POLLIN;
        }
        if c == u64::MAX {
            mask |= POLLERR;
        }
        if u64::MAX - 1 > c {
            mask |= POLLOUT;
        }
        (mask, Some(&self.queue))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counter_and_semaphore() {
        let f = new_eventfd(3, true, O_NONBLOCK);
        let mut b = [0u8; 8];
        assert_eq!(f.ops.read(&f, &mut b, 0), Ok(8));
        assert_eq!(u64::from_ne_bytes(b), 1);
        assert_eq!(f.ops.read(&f, &mut [0u8; 7], 0), Err(Errno::EINVAL));
        let f = new_eventfd(0, false, O_NONBLOCK);
        assert_eq!(f.ops.read(&f, &mut b, 0), Err(Errno::EAGAIN));
        assert_eq!(f.ops.write(&f, &5u64.to_ne_bytes(), 0), Ok(8));
        assert_eq!(
            f.ops.write(&f, &u64::MAX.to_ne_bytes(), 0),
            Err(Errno::EINVAL)
        );
        let big = (u64::MAX - 5).to_ne_bytes();
        assert_eq!(f.ops.write(&f, &big, 0), Err(Errno::EAGAIN));
        assert_eq!(f.ops.read(&f, &mut b, 0), Ok(8));
        assert_eq!(u64::from_ne_bytes(b), 5);
    }
}
