//! Anonymous pipes: a bounded byte buffer in the sentry shared by a read
//! end and a write end.
//!
//! Blocking reads and writes sleep on the pipe's wait queue through the
//! kernel's wait primitive, so signals interrupt them (ERESTARTSYS: restarted
//! after an SA_RESTART handler, EINTR otherwise). Writing with no reader
//! raises SIGPIPE.

use super::synth::{SynthFs, ST_VALID};
use crate::kernel::task::Task;
use crate::kernel::wait::{block_on, WaitQueue};
use crate::vfs::file::pollev::{POLLERR, POLLHUP, POLLIN, POLLOUT, POLLRDNORM, POLLWRNORM};
use crate::vfs::{File, FileOps};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use syscalls::abi::{Stat, Statfs};
use syscalls::consts::{FIONREAD, O_DIRECT, O_NONBLOCK, O_RDONLY, O_WRONLY, S_IFIFO};
use syscalls::{Errno, Pod};

pub const PIPEFS_MAGIC: i64 = 0x5049_5045;
/// Default capacity (16 pages, as Linux).
pub const PIPE_SIZE: usize = 16 * 4096;
/// Writes up to this size are atomic.
pub const PIPE_BUF: usize = 4096;

struct State {
    buf: VecDeque<u8>,
    /// The data as written: (length, packet). Packets (writes through an
    /// O_DIRECT write end) are read one per read(2), the excess discarded.
    segs: VecDeque<(usize, bool)>,
    capacity: usize,
    readers: usize,
    writers: usize,
}

impl State {
    fn push(&mut self, data: &[u8], packet: bool) {
        self.buf.extend(data);
        match self.segs.back_mut() {
            Some((l, false)) if !packet => *l += data.len(),
            _ => self.segs.push_back((data.len(), packet)),
        }
    }

    /// Read into `out`: bytes of ordinary writes, up to and including one
    /// packet (whose unread rest is dropped).
    fn pop(&mut self, out: &mut [u8]) -> usize {
        let mut done = 0;
        while done < out.len() {
            let Some((len, packet)) = self.segs.front().copied() else {
                break;
            };
            let n = len.min(out.len() - done);
            for (d, b) in out[done..done + n].iter_mut().zip(self.buf.drain(..n)) {
                *d = b;
            }
            done += n;
            if packet {
                self.buf.drain(..len - n);
                self.segs.pop_front();
                break;
            }
            if n == len {
                self.segs.pop_front();
            } else if let Some(f) = self.segs.front_mut() {
                f.0 -= n;
            }
        }
        done
    }
}

/// Linux's /proc/sys/fs/pipe-max-size default: the most an unprivileged
/// F_SETPIPE_SZ may ask for.
const PIPE_MAX_SIZE: u64 = 1 << 20;

pub struct Pipe {
    state: Mutex<State>,
    /// Readers and writers waiting for a change.
    queue: WaitQueue,
    stat: Stat,
}

/// The pipefs instance all pipes belong to (device number, inode numbers).
fn pipefs() -> &'static Arc<SynthFs> {
    static FS: OnceLock<Arc<SynthFs>> = OnceLock::new();
    FS.get_or_init(|| SynthFs::new(PIPEFS_MAGIC, false))
}

impl Pipe {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One end of a pipe.
pub struct PipeEnd {
    pipe: Arc<Pipe>,
    write: bool,
}

impl Drop for PipeEnd {
    fn drop(&mut self) {
        let mut s = self.pipe.lock();
        if self.write {
            s.writers -= 1;
        } else {
            s.readers -= 1;
        }
        drop(s);
        self.pipe.queue.notify_all();
    }
}

/// A new pipe: (read end, write end), with O_NONBLOCK from `flags`.
pub fn new_pipe(t: &Task, flags: u32) -> (Arc<File>, Arc<File>) {
    let fs = pipefs();
    let mut stat = fs.stat(fs.ino(), S_IFIFO | 0o600, 1, 0, 0);
    stat.st_uid = t.creds.euid;
    stat.st_gid = t.creds.egid;
    let pipe = Arc::new(Pipe {
        state: Mutex::new(State {
            buf: VecDeque::new(),
            segs: VecDeque::new(),
            capacity: PIPE_SIZE,
            readers: 1,
            writers: 1,
        }),
        queue: WaitQueue::default(),
        stat,
    });
    let nb = flags & (O_NONBLOCK | O_DIRECT);
    let r = File::new(
        Box::new(PipeEnd {
            pipe: pipe.clone(),
            write: false,
        }),
        O_RDONLY | nb,
        None,
    );
    let w = File::new(Box::new(PipeEnd { pipe, write: true }), O_WRONLY | nb, None);
    (r, w)
}

/// What splice(2), tee(2) and vmsplice(2) need of a pipe beyond read/write.
impl PipeEnd {
    /// Whether this is the write end.
    pub fn is_write_end(&self) -> bool {
        self.write
    }

    /// Whether both ends belong to the same pipe.
    pub fn same_pipe(&self, other: &PipeEnd) -> bool {
        Arc::ptr_eq(&self.pipe, &other.pipe)
    }

    /// Wait until the pipe holds data (true) or has neither data nor
    /// writers (false).
    pub fn wait_data(&self, nonblock: bool) -> Result<bool, Errno> {
        block_on(&[&self.pipe.queue], None, || {
            let s = self.pipe.lock();
            if !s.buf.is_empty() {
                return Some(Ok(true));
            }
            if s.writers == 0 {
                return Some(Ok(false));
            }
            nonblock.then_some(Err(Errno::EAGAIN))
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }

    /// Wait until the pipe has room; returns how much.
    pub fn wait_room(&self, nonblock: bool) -> Result<usize, Errno> {
        let r = block_on(&[&self.pipe.queue], None, || {
            let s = self.pipe.lock();
            if s.readers == 0 {
                return Some(Err(Errno::EPIPE));
            }
            let room = s.capacity.saturating_sub(s.buf.len());
            if room > 0 {
                return Some(Ok(room));
            }
            nonblock.then_some(Err(Errno::EAGAIN))
        })
        .unwrap_or_else(|e| Err(e.restartsys()));
        if r == Err(Errno::EPIPE) {
            sigpipe();
        }
        r
    }

    /// Copy the first bytes of the pipe without consuming them.
    pub fn peek(&self, out: &mut [u8]) -> usize {
        let s = self.pipe.lock();
        let n = out.len().min(s.buf.len());
        for (d, b) in out[..n].iter_mut().zip(s.buf.iter()) {
            *d = *b;
        }
        n
    }

    /// Drop the first `n` bytes (after a [`PipeEnd::peek`]).
    pub fn consume(&self, n: usize) {
        let mut scratch = vec![0u8; n];
        let mut s = self.pipe.lock();
        let mut done = 0;
        while done < n {
            let got = s.pop(&mut scratch[done..]);
            if got == 0 {
                break;
            }
            done += got;
        }
        drop(s);
        self.pipe.queue.notify_all();
    }

    /// Write `buf` into the pipe (the write end's semantics: PIPE_BUF
    /// atomicity, blocking unless `nonblock`, EPIPE and SIGPIPE without
    /// readers).
    pub fn write_data(&self, buf: &[u8], nonblock: bool, packet: bool) -> Result<usize, Errno> {
        let q = &self.pipe.queue;
        let mut done = 0;
        let r = block_on(&[q], None, || {
            let mut s = self.pipe.lock();
            loop {
                if s.readers == 0 {
                    return Some(Err(Errno::EPIPE));
                }
                if done == buf.len() {
                    return Some(Ok(()));
                }
                let room = s.capacity.saturating_sub(s.buf.len());
                let rest = buf.len() - done;
                // Writes of at most PIPE_BUF bytes are never split.
                let fits = if rest <= PIPE_BUF {
                    room >= rest
                } else {
                    room > 0
                };
                if !fits {
                    return nonblock.then_some(Err(Errno::EAGAIN));
                }
                // Packets are at most PIPE_BUF bytes each.
                let n = if packet {
                    rest.min(room).min(PIPE_BUF)
                } else {
                    rest.min(room)
                };
                s.push(&buf[done..done + n], packet);
                done += n;
                q.notify_all();
            }
        });
        match r {
            Ok(Ok(())) => Ok(done),
            Ok(Err(Errno::EPIPE)) => {
                sigpipe();
                if done > 0 {
                    Ok(done)
                } else {
                    Err(Errno::EPIPE)
                }
            }
            Ok(Err(e)) => {
                if done > 0 {
                    Ok(done)
                } else {
                    Err(e)
                }
            }
            Err(e) => {
                if done > 0 {
                    Ok(done)
                } else {
                    Err(e.restartsys())
                }
            }
        }
    }
}

/// Raise SIGPIPE for the current task (a write found no reader).
fn sigpipe() {
    if let Some(me) = crate::kernel::wait::current() {
        let info = syscalls::abi::Siginfo::kill(libc::SIGPIPE, 0, me.tgid, 0);
        me.send(libc::SIGPIPE, info);
    }
}

impl FileOps for PipeEnd {
    fn read(&self, file: &File, buf: &mut [u8], _off: u64) -> Result<usize, Errno> {
        self.read_cur(file, buf)
    }
    fn write(&self, file: &File, buf: &[u8], _off: u64) -> Result<usize, Errno> {
        self.write_cur(file, buf)
    }
    fn read_cur(&self, file: &File, buf: &mut [u8]) -> Result<usize, Errno> {
        if self.write {
            return Err(Errno::EBADF);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let q = &self.pipe.queue;
        block_on(&[q], None, || {
            let mut s = self.pipe.lock();
            if !s.buf.is_empty() {
                let n = s.pop(buf);
                drop(s);
                q.notify_all();
                return Some(Ok(n));
            }
            if s.writers == 0 {
                return Some(Ok(0));
            }
            if nonblock {
                return Some(Err(Errno::EAGAIN));
            }
            None
        })
        .unwrap_or_else(|e| Err(e.restartsys()))
    }
    fn write_cur(&self, file: &File, buf: &[u8]) -> Result<usize, Errno> {
        if !self.write {
            return Err(Errno::EBADF);
        }
        let nonblock = file.flags() & O_NONBLOCK != 0;
        let packet = file.flags() & O_DIRECT != 0;
        self.write_data(buf, nonblock, packet)
    }
    fn stat(&self) -> Result<Stat, Errno> {
        Ok(self.pipe.stat)
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
    fn ioctl(&self, _file: &File, t: &mut Task, cmd: u64, arg: u64) -> Result<u64, Errno> {
        if cmd as u32 != FIONREAD {
            return Err(Errno::ENOTTY);
        }
        let n = self.pipe.lock().buf.len() as i32;
        t.mm.write_obj(arg, &n)?;
        Ok(0)
    }
    fn size(&self) -> Result<u64, Errno> {
        Ok(0)
    }
    fn pipe_size(&self) -> Result<usize, Errno> {
        Ok(self.pipe.lock().capacity)
    }
    /// Linux's pipe_set_size: a page at least, a power of two; more than
    /// pipe-max-size needs CAP_SYS_RESOURCE, which the sandbox does not
    /// grant (EPERM, as for root on these hosts); never below the data held
    /// (EBUSY).
    fn set_pipe_size(&self, size: u64, _privileged: bool) -> Result<usize, Errno> {
        if size > 1 << 31 {
            return Err(Errno::EINVAL);
        }
        let want = size.max(4096).next_power_of_two();
        if want > PIPE_MAX_SIZE {
            return Err(Errno::EPERM);
        }
        let mut s = self.pipe.lock();
        if (want as usize) < s.buf.len() {
            return Err(Errno::EBUSY);
        }
        s.capacity = want as usize;
        drop(s);
        self.pipe.queue.notify_all();
        Ok(want as usize)
    }
    /// Linux's pipe_poll: the read end is readable with data and hangs up
    /// without writers; the write end is writable with room for an atomic
    /// write (PIPE_BUF) and in error without readers.
    fn poll(&self, _file: &File, _events: u32) -> (u32, Option<&WaitQueue>) {
        let s = self.pipe.lock();
        let mut mask = 0;
        if self.write {
            if s.capacity.saturating_sub(s.buf.len()) >= PIPE_BUF {
                mask |= POLLOUT | POLLWRNORM;
            }
            if s.readers == 0 {
                mask |= POLLERR;
            }
        } else {
            if !s.buf.is_empty() {
                mask |= POLLIN | POLLRDNORM;
            }
            if s.writers == 0 {
                mask |= POLLHUP;
            }
        }
        (mask, Some(&self.pipe.queue))
    }
    fn statfs(&self, _file: &File) -> Result<Statfs, Errno> {
        let mut s = Statfs::zeroed();
        s.f_type = PIPEFS_MAGIC;
        s.f_bsize = 4096;
        s.f_namelen = 255;
        s.f_frsize = 4096;
        s.f_flags = ST_VALID;
        Ok(s)
    }
}
