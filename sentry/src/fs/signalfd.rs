//! signalfd(2): reading the caller's pending signals as `struct
//! signalfd_siginfo` records.
//!
//! As Linux's fs/signalfd.c, a read dequeues signals of the set from the
//! *reading* task (thread-directed first, then process-directed), blocking
//! for the first one only; readiness is judged for the polling task. Signal
//! senders notify the [`ThreadGroup::signalled`] queue of the process the
//! signalfd was created in, which is the queue pollers sleep on.

use crate::kernel::signal::ThreadGroup;
use crate::kernel::wait::{block_on, current, WaitQueue};
use crate::kernel::Kernel;
use crate::vfs::file::pollev::POLLIN;
use crate::vfs::{File, FileOps};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use syscalls::abi::Siginfo;
use syscalls::consts::{
    O_NONBLOCK, O_RDWR, SIGBUS, SIGCHLD, SIGFPE, SIGILL, SIGPOLL, SIGSEGV, SIGSYS, SIGTRAP,
    SI_KERNEL, SI_SIGIO, SI_TIMER, SI_USER,
};
use syscalls::Errno;

/// sizeof(struct signalfd_siginfo).
pub const SIGINFO_SIZE: usize = 128;

pub struct SignalFd {
    mask: AtomicU64,
    group: Arc<ThreadGroup>,
    kernel: Weak<Kernel>,
}

/// A new signalfd for signals in `mask`; `flags` may hold O_NONBLOCK.
pub fn new_signalfd(k: &Arc<Kernel>, group: Arc<ThreadGroup>, mask: u64, flags: u32) -> Arc<File> {
    File::new(
        Box::new(SignalFd {
            mask: AtomicU64::new(mask),
            group,
            kernel: Arc::downgrade(k),
        }),
        O_RDWR | (flags & O_NONBLOCK),
        None,
    )
}

/// The signalfd behind a file, if it is one.
pub fn as_signalfd(file: &File) -> Option<&SignalFd> {
    file.ops.as_any().and_then(|a| a.downcast_ref::<SignalFd>())
}

impl SignalFd {
    /// Replace the set (signalfd4 on an existing signalfd).
    pub fn set_mask(&self, mask: u64) {
        self.mask.store(mask, Ordering::SeqCst);
        self.group.signalled.notify_all();
    }

    fn mask(&self) -> u64 {
        self.mask.load(Ordering::SeqCst)
    }

    /// Take one pending signal of the set from the calling task.
    fn dequeue(&self) -> Option<Siginfo> {
        let task = current()?;
        loop {
            let (_, mut info) = task.dequeue_from(self.mask())?;
            // A stale POSIX-timer signal is dropped, a live one gets its
            // overrun count, as when delivered.
            match self.kernel.upgrade() {
                Some(k) if !k.timers.signal_dequeued(task.tgid, &mut info) => continue,
                _ => return Some(info),
            }
        }
    }
}

/// Linux's signalfd_copyinfo, by siginfo_layout.
pub fn to_signalfd_siginfo(si: &Siginfo) -> [u8; SIGINFO_SIZE] {
    let mut b = [0u8; SIGINFO_SIZE];
    let put32 = |b: &mut [u8; SIGINFO_SIZE], off: usize, v: u32| {
        b[off..off + 4].copy_from_slice(&v.to_ne_bytes());
    };
    let put64 = |b: &mut [u8; SIGINFO_SIZE], off: usize, v: u64| {
        b[off..off + 8].copy_from_slice(&v.to_ne_bytes());
    };
    let (sig, code) = (si.signo(), si.code());
    put32(&mut b, 0, sig as u32);
    put32(&mut b, 4, si.errno() as u32);
    put32(&mut b, 8, code as u32);
    let kernel_code = code > SI_USER && code < SI_KERNEL;
    let fault = [SIGILL, SIGFPE, SIGSEGV, SIGBUS, SIGTRAP].contains(&sig);
    if kernel_code && fault {
        put64(&mut b, 72, si.addr());
        // BUS_MCEERR_AR, BUS_MCEERR_AO carry the address's lsb.
        if sig == SIGBUS && (code == 4 || code == 5) {
            b[80..82].copy_from_slice(&si.addr_lsb().to_ne_bytes());
        }
    } else if kernel_code && sig == SIGCHLD {
        put32(&mut b, 12, si.pid() as u32);
        put32(&mut b, 16, si.uid());
        put32(&mut b, 40, si.status() as u32);
        put64(&mut b, 56, si.utime() as u64);
        put64(&mut b, 64, si.stime() as u64);
    } else if (kernel_code && sig == SIGPOLL) || code == SI_SIGIO {
        put32(&mut b, 28, si.band() as u32);
        put32(&mut b, 20, si.fd() as u32);
    } else if kernel_code && sig == SIGSYS {
        put64(&mut b, 88, si.call_addr());
        put32(&mut b, 84, si.syscall() as u32);
        put32(&mut b, 96, si.arch());
    } else if code == SI_TIMER {
        put32(&mut b, 24, si.timer_id() as u32);
        put32(&mut b, 32, si.overrun() as u32);
        put64(&mut b, 48, si.value());
        put32(&mut b, 44, si.value() as u32);
    } else if code < 0 {
        put32(&mut b, 12, si.pid() as u32);
        put32(&mut b, 16, si.uid());
        put64(&mut b, 48, si.value());
        put32(&mut b, 44, si.value() as u32);
    } else {
        put32(&mut b, 12, si.pid() as u32);
        put32(&mut b, 16, si.uid());
    }
    b
}

impl FileOps for SignalFd {
    fn proc_name(&self) -> Option<String> {
        Some("anon_inode:[signalfd]".into())
    }
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        let max = buf.len() / SIGINFO_SIZE;
        if max == 0 {
            return Err(Errno::EINVAL);
        }
        let mut n = 0;
        for chunk in buf.chunks_exact_mut(SIGINFO_SIZE).take(max) {
            let info = match self.dequeue() {
                Some(i) => i,
                None if n > 0 || file.flags() & O_NONBLOCK != 0 => break,
                None => block_on(&[&self.group.signalled], None, || self.dequeue())
                    .map_err(|e| e.restartsys())?,
            };
            chunk.copy_from_slice(&to_signalfd_siginfo(&info));
            n += 1;
        }
        if n == 0 {
            return Err(Errno::EAGAIN);
        }
        Ok(n * SIGINFO_SIZE)
    }
    super::anon::anon_inode_ops!();
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let pending = current().map_or(0, |t| t.queue().pending | t.group.queue().pending);
        let mask = if pending & self.mask() != 0 {
            POLLIN
        } else {
            0
        };
        (mask, Some(&self.group.signalled))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}
